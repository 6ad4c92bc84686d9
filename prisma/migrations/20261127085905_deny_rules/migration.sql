-- CreateTable
CREATE TABLE "DenyRule" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "apiKeyId" UUID,
    "scope" TEXT,
    "subject" TEXT,
    "toolGlobs" TEXT[],
    "resourceGlobs" TEXT[],
    "promptGlobs" TEXT[],
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DenyRule_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "DenyRule_tenantId_idx" ON "DenyRule"("tenantId");

-- AddForeignKey
ALTER TABLE "DenyRule" ADD CONSTRAINT "DenyRule_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DenyRule" ADD CONSTRAINT "DenyRule_apiKeyId_fkey" FOREIGN KEY ("apiKeyId") REFERENCES "ApiKey"("id") ON DELETE CASCADE ON UPDATE CASCADE;
