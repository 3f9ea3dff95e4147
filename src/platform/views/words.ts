/**
 * "an Initial license", "a Professional license": the indefinite article goes by the sound a
 * phrase starts with, so a vowel letter said as a consonant ("a university", "a one-year
 * license") takes "a", and a silent "h" ("an hour") takes "an".
 */
const SAID_AS_CONSONANT = /^(uni|use|usu|uti|ure|eu|ewe|one|once)/i;
const SILENT_H = /^(hour|honest|honor|honour|heir)/i;

export function withArticle(phrase: string, { startsSentence = false } = {}): string {
  const an = SILENT_H.test(phrase) || (/^[aeiou]/i.test(phrase) && !SAID_AS_CONSONANT.test(phrase));
  const article = an ? 'an' : 'a';
  return `${startsSentence ? article.charAt(0).toUpperCase() + article.slice(1) : article} ${phrase}`;
}
