import { renderMessage } from '../src/domain/templates/message-template';

describe('message template', () => {
  it('When the message has paragraphs, then the HTML has one inlined <p> each and the text keeps the lines', () => {
    // Act
    const { html, text } = renderMessage({
      subject: 'S',
      message: 'one\r\ntwo\r\n\r\nthree',
      senderName: 'micromesh',
    });

    // Assert
    expect(html.match(/<p style="[^"]*line-height: 1.5[^"]*">/g)).toHaveLength(2);
    expect(html).toContain('one<br>two</p>');
    expect(text).toContain('one\ntwo\n\nthree');
  });
});
