-- CreateTable
CREATE TABLE "RedactionSettings" (
    "tenantId" UUID NOT NULL,
    "redactResponses" BOOLEAN NOT NULL DEFAULT false,
    "argumentValues" TEXT NOT NULL DEFAULT 'redact',
    "customPatterns" JSONB NOT NULL DEFAULT '[]',
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RedactionSettings_pkey" PRIMARY KEY ("tenantId")
);

-- AddForeignKey
ALTER TABLE "RedactionSettings" ADD CONSTRAINT "RedactionSettings_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;
