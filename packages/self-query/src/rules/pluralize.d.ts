declare module "pluralize" {
  /** pluralize's default export (CommonJS). */
  const pluralize: {
    /** Singular form of an English noun (irregular plurals included); other words unchanged. */
    singular(word: string): string;
  };
  export default pluralize;
}
