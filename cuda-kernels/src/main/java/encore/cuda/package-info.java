/** CUDA kernels and the JCuda ALS backend with the checked CPU fallback (issue: GPU training engine). */
package encore.cuda;
