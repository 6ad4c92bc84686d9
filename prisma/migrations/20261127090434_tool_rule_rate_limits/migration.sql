-- AlterTable
ALTER TABLE "ToolRule" ADD COLUMN     "rateLimitCapacity" INTEGER,
ADD COLUMN     "rateLimitRefillPerSecond" DOUBLE PRECISION;
