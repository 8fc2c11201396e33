package encore.cpu.archfixture;

import jcuda.driver.CUresult;

/** Breaks "JCuda only in cuda". */
public final class PlantedJCudaImport {
    public String name(int result) {
        return CUresult.stringFor(result);
    }
}
