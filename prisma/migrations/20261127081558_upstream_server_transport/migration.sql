-- AlterTable
ALTER TABLE "UpstreamServer" ADD COLUMN     "stdio" JSONB,
ADD COLUMN     "transport" TEXT NOT NULL DEFAULT 'streamable-http';
