-- AlterTable
ALTER TABLE "ToolRule" ADD COLUMN     "subject" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "ToolRule_tenantId_subject_key" ON "ToolRule"("tenantId", "subject");
