-- CreateTable
CREATE TABLE "AuditSink" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "index" TEXT,
    "sourcetype" TEXT,
    "source" TEXT,
    "ack" BOOLEAN NOT NULL DEFAULT false,
    "username" TEXT,
    "sealedSecret" TEXT NOT NULL,
    "secretVersion" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AuditSink_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "AuditSink_tenantId_name_key" ON "AuditSink"("tenantId", "name");

-- AddForeignKey
ALTER TABLE "AuditSink" ADD CONSTRAINT "AuditSink_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;
