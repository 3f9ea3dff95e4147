/**
 * The built-in test provider's card rules (CONTRACT.md): 4242 4242 4242 4242 pays,
 * 4000 0000 0000 0002 is declined. They follow the test cards real providers publish, so
 * a person who has used one knows them. No card is charged: no money moves.
 */

export const PAYING_CARD = '4242424242424242';
export const DECLINED_CARD = '4000000000000002';

export interface CardForm {
  cardholderName: string;
  cardNumber: string;
  expiry: string;
  cvc: string;
}

export type CardErrors = Partial<Record<keyof CardForm, string>>;

export type CardOutcome =
  | { ok: false; errors: CardErrors }
  | { ok: true; result: 'paid'; last4: string }
  | { ok: true; result: 'declined'; last4: string; reason: string };

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Reads the card form as a card network would answer it; `today` decides whether the card has expired. */
export function chargeTestCard(form: CardForm, today = new Date()): CardOutcome {
  const errors: CardErrors = {};
  const name = form.cardholderName.trim();
  if (name === '') errors.cardholderName = 'Enter the name on the card';
  else if (name.length > 100) errors.cardholderName = 'The name on the card must be 100 characters or fewer';

  const number = form.cardNumber.replace(/[\s-]/g, '');
  if (number === '') errors.cardNumber = 'Enter the card number';
  else if (!/^[0-9]{13,19}$/.test(number) || !luhnValid(number))
    errors.cardNumber = 'Enter a card number of 13 to 19 digits, as it is shown on the card';
  else if (number !== PAYING_CARD && number !== DECLINED_CARD)
    errors.cardNumber =
      'This is a test checkout: use 4242 4242 4242 4242 to pay, or 4000 0000 0000 0002 to see a decline';

  const expiry = /^\s*(0[1-9]|1[0-2])\s*\/\s*([0-9]{2})\s*$/.exec(form.expiry);
  if (form.expiry.trim() === '') errors.expiry = 'Enter the expiry date';
  else if (!expiry) errors.expiry = 'Enter the expiry date as MM/YY, for example 04/29';
  else {
    const month = Number(expiry[1]);
    const year = 2000 + Number(expiry[2]);
    const thisMonth = today.getUTCFullYear() * 12 + today.getUTCMonth();
    if (year * 12 + (month - 1) < thisMonth)
      errors.expiry = 'This card has expired: the expiry date must be in the future';
  }

  const cvc = form.cvc.trim();
  if (cvc === '') errors.cvc = 'Enter the security code';
  else if (!/^[0-9]{3,4}$/.test(cvc)) errors.cvc = 'Enter the security code: the 3 or 4 digits on the card';

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const last4 = number.slice(-4);
  if (number === DECLINED_CARD) return { ok: true, result: 'declined', last4, reason: 'Your card was declined.' };
  return { ok: true, result: 'paid', last4 };
}
