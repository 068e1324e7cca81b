import { addressProblem } from '../src/domain/address';
import { renderMessage } from '../src/domain/templates/message-template';

describe('plain address validation', () => {
  it.each([
    'a@example.com',
    'first.last+tag@mail.example.co.uk',
    'under_score%x@sub-domain.example.org',
    `${'a'.repeat(64)}@example.com`,
  ])('When the address is %s, then it is accepted', (address) => {
    expect(addressProblem(address)).toBeUndefined();
  });

  it.each([
    ['.leading@example.com', 'has an invalid local part (letters, digits, . _ % + - only)'],
    ['double..dot@example.com', 'has an invalid local part (letters, digits, . _ % + - only)'],
    ['a@localhost', 'has an invalid domain'],
    ['a@-bad.example.com', 'has an invalid domain'],
    ['a@example.c0m', 'has an invalid domain'],
    ['jöhn@example.com', 'has an invalid local part (letters, digits, . _ % + - only)'],
    ['a@example.com\r', 'must not contain line breaks'],
  ])('When the address is %j, then it is refused: %s', (address, problem) => {
    expect(addressProblem(address)).toBe(problem);
  });
});

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
