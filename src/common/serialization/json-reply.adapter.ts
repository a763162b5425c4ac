import { ExpressAdapter } from '@nestjs/platform-express';
import type { ServerResponse } from 'node:http';
import { StateAnswer, Stringify } from './state-serializer';

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Nest's Express adapter, except that a handler's JSON answer is written in one step: the text
 * (StateAnswer by its compiled serializer, anything else by JSON.stringify), its Content-Type
 * and Content-Length, then `end`, without Express's res.json/res.send (which parse and rebuild
 * the Content-Type and look for an ETag on every answer; ETags are off here). Anything else
 * (no body, a stream, a string, an answer whose handler set its own Content-Type, a 204 or
 * 304) goes the adapter's usual way.
 */
export class JsonReplyAdapter extends ExpressAdapter {
  private stateSerializer: Stringify = JSON.stringify;

  useStateSerializer(serializer: Stringify): void {
    this.stateSerializer = serializer;
  }

  override reply(response: ServerResponse, body: unknown, statusCode?: number): unknown {
    const status = statusCode ?? response.statusCode;
    if (
      !isJsonObject(body) ||
      status === 204 ||
      status === 304 ||
      response.hasHeader('content-type')
    ) {
      return super.reply(response, body, statusCode);
    }
    const text = body instanceof StateAnswer ? this.stateSerializer(body) : JSON.stringify(body);
    response.statusCode = status;
    response.setHeader('Content-Type', JSON_TYPE);
    response.setHeader('Content-Length', Buffer.byteLength(text));
    response.end(text);
    return response;
  }
}

/** A plain object or array, or a StateAnswer: what res.json would JSON.stringify. */
function isJsonObject(body: unknown): body is object {
  if (typeof body !== 'object' || body === null) return false;
  const proto = Object.getPrototypeOf(body) as unknown;
  return proto === Object.prototype || proto === Array.prototype || body instanceof StateAnswer;
}
