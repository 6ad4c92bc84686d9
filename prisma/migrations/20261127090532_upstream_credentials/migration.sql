-- AlterTable
ALTER TABLE "UpstreamServer" ADD COLUMN     "credentialHeaderName" TEXT,
ADD COLUMN     "credentialKind" TEXT,
ADD COLUMN     "credentialSealed" TEXT;
