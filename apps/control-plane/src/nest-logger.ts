import type { Logger } from '@mcpg/observability';
import type { LoggerService } from '@nestjs/common';

/**
 * Sends NestJS's own messages through the project logger, so the control plane writes one JSON
 * format. Nest's `log` level is start-up chatter (routes mapped, modules loaded): kept at debug.
 */
export class NestLoggerAdapter implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.logger.debug(String(message), { context });
  }

  error(message: unknown, stackOrContext?: string, context?: string): void {
    this.logger.error(String(message), context ? { context, stack: stackOrContext } : { context: stackOrContext });
  }

  warn(message: unknown, context?: string): void {
    this.logger.warn(String(message), { context });
  }

  debug(message: unknown, context?: string): void {
    this.logger.debug(String(message), { context });
  }

  verbose(message: unknown, context?: string): void {
    this.logger.debug(String(message), { context });
  }
}
