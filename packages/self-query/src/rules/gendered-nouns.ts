/**
 * English nouns and adjectives of sex, for an attribute whose enumerated values are a female and
 * a male term ("female" / "male", "women" / "men"): "girls", "ladies" and "women's" name the
 * female value, "boys", "gentlemen" and "men's" the male one. Pronouns are left out ("she did
 * our logo" names no sex of the records).
 */
const FEMALE = [
  "female",
  "females",
  "feminine",
  "girl",
  "girls",
  "woman",
  "women",
  "womens",
  "women's",
  "lady",
  "ladies",
  "ladies'",
];
const MALE = [
  "male",
  "males",
  "masculine",
  "boy",
  "boys",
  "man",
  "men",
  "mens",
  "men's",
  "gentleman",
  "gentlemen",
  "gents",
];

/**
 * The words naming each of the two values, when `values` holds one female and one male term of
 * the lists above (case-insensitive); undefined otherwise.
 */
export function genderedForms(
  values: readonly string[],
): Array<{ value: string; words: string[] }> | undefined {
  const female = values.filter((v) => FEMALE.includes(v.toLowerCase()));
  const male = values.filter((v) => MALE.includes(v.toLowerCase()));
  if (female.length !== 1 || male.length !== 1) return undefined;
  return [
    { value: female[0]!, words: FEMALE },
    { value: male[0]!, words: MALE },
  ];
}
