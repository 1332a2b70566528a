// GitHub's REST error shape: `{ message, documentation_url, status }` (status as a string), with
// `errors: [{ resource, field, code, message }]` on 422 "Validation Failed".

export const DOCS = 'https://docs.github.com/rest';

export interface ValidationItem {
  resource: string;
  code: string;
  field?: string;
  message?: string;
}

export class GhError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly documentationUrl: string = DOCS,
    readonly errors?: ValidationItem[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): string {
    return JSON.stringify({
      message: this.message,
      ...(this.errors ? { errors: this.errors } : {}),
      documentation_url: this.documentationUrl,
      status: String(this.status),
    });
  }
}

export const notFound = (doc = DOCS): GhError => new GhError(404, 'Not Found', doc);

export function validationFailed(doc: string, ...errors: ValidationItem[]): GhError {
  return new GhError(422, 'Validation Failed', doc, errors);
}
