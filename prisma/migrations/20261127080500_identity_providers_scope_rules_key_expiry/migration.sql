-- AlterTable
ALTER TABLE "ApiKey" ADD COLUMN     "expiresAt" TIMESTAMP(3),
ADD COLUMN     "replacedById" UUID;

-- AlterTable
ALTER TABLE "ToolRule" ADD COLUMN     "scope" TEXT,
ALTER COLUMN "apiKeyId" DROP NOT NULL;

-- CreateTable
CREATE TABLE "IdentityProvider" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "issuer" TEXT NOT NULL,
    "audiences" TEXT[],
    "algorithms" TEXT[],
    "jwksUri" TEXT,
    "jwks" JSONB,
    "hmacSecret" TEXT,
    "clockSkewSeconds" INTEGER NOT NULL DEFAULT 60,
    "subjectClaim" TEXT NOT NULL DEFAULT 'sub',
    "scopeClaim" TEXT NOT NULL DEFAULT 'scope',
    "introspectionUrl" TEXT,
    "clientId" TEXT,
    "clientSecret" TEXT,
    "profile" TEXT NOT NULL DEFAULT 'standard',
    "caBundlePem" TEXT,
    "certIdentityFrom" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "IdentityProvider_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "IdentityProvider_tenantId_idx" ON "IdentityProvider"("tenantId");

-- CreateIndex
CREATE UNIQUE INDEX "IdentityProvider_tenantId_name_key" ON "IdentityProvider"("tenantId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "IdentityProvider_tenantId_issuer_key" ON "IdentityProvider"("tenantId", "issuer");

-- CreateIndex
CREATE UNIQUE INDEX "ToolRule_tenantId_scope_key" ON "ToolRule"("tenantId", "scope");

-- AddForeignKey
ALTER TABLE "IdentityProvider" ADD CONSTRAINT "IdentityProvider_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;
