// Minimal typings for the parts of jStat (https://github.com/jstat/jstat, MIT) this package uses.
declare module "jstat" {
  interface Distribution {
    cdf(x: number, ...params: number[]): number;
    inv(p: number, ...params: number[]): number;
  }
  const jStat: {
    /** normal.cdf(x, mean, sd), normal.inv(p, mean, sd) */
    normal: Distribution;
    /** studentt.cdf(x, dof), studentt.inv(p, dof) */
    studentt: Distribution;
  };
  export default jStat;
}
