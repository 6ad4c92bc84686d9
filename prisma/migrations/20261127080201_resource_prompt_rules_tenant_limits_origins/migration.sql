-- AlterTable
ALTER TABLE "Tenant" ADD COLUMN     "allowedOrigins" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "limits" JSONB;

-- AlterTable
ALTER TABLE "ToolRule" ADD COLUMN     "promptGlobs" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "resourceGlobs" TEXT[] DEFAULT ARRAY[]::TEXT[];
