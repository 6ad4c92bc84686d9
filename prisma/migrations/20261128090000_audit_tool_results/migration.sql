-- Opt-in, redacted and capped tool results in audit events (tool.result).
ALTER TABLE "RedactionSettings" ADD COLUMN     "auditToolResultMaxBytes" INTEGER NOT NULL DEFAULT 8192,
ADD COLUMN     "auditToolResults" TEXT NOT NULL DEFAULT 'off';
