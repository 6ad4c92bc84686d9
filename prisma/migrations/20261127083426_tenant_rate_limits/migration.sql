-- AlterTable
ALTER TABLE "Tenant" ADD COLUMN     "rateLimitCapacity" INTEGER,
ADD COLUMN     "rateLimitRefillPerSecond" DOUBLE PRECISION;
