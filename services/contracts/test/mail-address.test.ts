import { addressProblem } from '@micromesh/contracts';

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
