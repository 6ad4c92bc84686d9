-- AlterTable
ALTER TABLE "UpstreamServer" ADD COLUMN     "transport" TEXT NOT NULL DEFAULT 'streamable-http';
