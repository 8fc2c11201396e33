/** CPU ALS backend: normal-equation build, Cholesky/CG/NNLS solves, blocked scoring (issue: CPU ALS engine). */
package encore.cpu;
