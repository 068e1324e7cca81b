import juice from 'juice';
import { escapeHtml } from './escape-html';

export interface TemplateInput {
  subject: string;
  message: string;
  senderName: string;
}

export interface RenderedMail {
  html: string;
  text: string;
}

const CSS = `
  body { margin: 0; padding: 24px; background: #f4f5f7; font-family: Helvetica, Arial, sans-serif; }
  .card { max-width: 600px; margin: 0 auto; background: #ffffff; border-radius: 6px; padding: 24px; }
  h1 { font-size: 20px; color: #1f2933; margin: 0 0 16px; }
  p { font-size: 15px; line-height: 1.5; color: #323f4b; margin: 0 0 12px; }
  .footer { font-size: 12px; color: #7b8794; margin-top: 24px; }
`;

// Placeholders are filled after CSS inlining, so user text never passes through juice.
const LAYOUT = `<!doctype html>
<html>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width">
<title>{{subject}}</title>
</head>
<body>
<div class="card">
<h1>{{subject}}</h1>
{{paragraphs}}
<p class="footer">Sent by {{sender}}</p>
</div>
</body>
</html>`;

const PARAGRAPH = '<p>{{text}}</p>';

let inlined: { layout: string; paragraph: string } | undefined;

/** The templates with their CSS inlined (mail clients drop <style>); done once per process. */
function templates(): { layout: string; paragraph: string } {
  inlined ??= {
    layout: juice.inlineContent(LAYOUT, CSS),
    paragraph: juice.inlineContent(PARAGRAPH, CSS),
  };
  return inlined;
}

function fill(template: string, values: Record<string, string>): string {
  // A replacer function, so `$&` and friends in user text are not interpreted.
  return template.replace(/\{\{(\w+)\}\}/g, (_match, key: string) => values[key] ?? '');
}

function toParagraphs(message: string, paragraph: string): string {
  return message
    .split(/\n{2,}/)
    .filter((block) => block.trim().length > 0)
    .map((block) => fill(paragraph, { text: escapeHtml(block).replace(/\n/g, '<br>') }))
    .join('\n');
}

/** Renders the HTML and plain-text parts of a message. All user text is escaped in the HTML. */
export function renderMessage(input: TemplateInput): RenderedMail {
  const { layout, paragraph } = templates();
  const message = input.message.replace(/\r\n?/g, '\n');
  const html = fill(layout, {
    subject: escapeHtml(input.subject),
    sender: escapeHtml(input.senderName),
    paragraphs: toParagraphs(message, paragraph),
  });
  const text = `${input.subject}\n\n${message}\n\n-- \nSent by ${input.senderName}\n`;
  return { html, text };
}
