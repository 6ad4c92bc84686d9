-- AlterTable
ALTER TABLE "IdentityProvider" ADD COLUMN     "crlPem" TEXT;
