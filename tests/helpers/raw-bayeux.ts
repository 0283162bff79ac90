/**
 * A deliberately small Bayeux client over raw HTTP, for tests that need to see every byte:
 * cookies are kept like a browser keeps them, so several "tabs" can share one browser id.
 */
export interface RawReply {
  status: number;
  headers: Headers;
  messages: any[];
}

export class RawBayeux {
  clientId = '';
  #cookie = '';
  #id = 0;
  constructor(readonly endpoint: string, readonly extraHeaders: Record<string, string> = {}) {}

  /** Share this client's browser cookie with another client (a second tab of one browser). */
  sameBrowserAs(other: RawBayeux): this {
    this.#cookie = other.#cookie;
    return this;
  }

  async send(messages: object[], headers: Record<string, string> = {}): Promise<RawReply> {
    const response = await fetch(this.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(this.#cookie ? { cookie: this.#cookie } : {}), ...this.extraHeaders, ...headers },
      body: JSON.stringify(messages),
    });
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) this.#cookie = setCookie.split(';')[0]!;
    const text = await response.text();
    return { status: response.status, headers: response.headers, messages: text.startsWith('[') ? JSON.parse(text) : [] };
  }

  nextId(): string {
    return String(++this.#id);
  }

  async handshake(ext?: object): Promise<any> {
    const { messages } = await this.send([{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'], id: this.nextId(), ...(ext ? { ext } : {}) }]);
    const reply = messages.find((m) => m.channel === '/meta/handshake');
    if (reply?.successful) this.clientId = reply.clientId;
    return reply;
  }

  connect(extra: object = {}): Promise<RawReply> {
    return this.send([{ channel: '/meta/connect', clientId: this.clientId, connectionType: 'long-polling', id: this.nextId(), ...extra }]);
  }

  async subscribe(subscription: string | string[]): Promise<any> {
    const { messages } = await this.send([{ channel: '/meta/subscribe', clientId: this.clientId, subscription, id: this.nextId() }]);
    return messages.find((m) => m.channel === '/meta/subscribe');
  }

  async publish(channel: string, data: unknown): Promise<any> {
    const { messages } = await this.send([{ channel, clientId: this.clientId, data, id: this.nextId() }]);
    return messages.find((m) => m.channel === channel && 'successful' in m);
  }

  disconnect(): Promise<RawReply> {
    return this.send([{ channel: '/meta/disconnect', clientId: this.clientId, id: this.nextId() }]);
  }
}
