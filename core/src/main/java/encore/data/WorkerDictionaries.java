package encore.data;

/**
 * Label dictionaries owned by one parser thread and shared by every chunk it parses, so each distinct label is
 * held once per thread (not once per chunk) and the merge interns few labels.
 */
final class WorkerDictionaries {
    final LabelDictionary users = new LabelDictionary(1 << 12);
    final LabelDictionary items = new LabelDictionary(1 << 16);
}
