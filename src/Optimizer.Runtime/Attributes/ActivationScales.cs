namespace Optimizer.Runtime;

/// <summary>How dynamic INT8 scales the activations it quantizes at run time.</summary>
#if OPTIMIZER_SCHEMA_COPY
internal
#else
public
#endif
enum ActivationScales
{
    /// <summary>
    /// The default: one scale per row (per token of an encoder, per sample of an MLP), so every row
    /// is quantized the same whatever else is in its batch and however much padding it has.
    /// </summary>
    PerRow,

    /// <summary>
    /// One scale per tensor (ONNX Runtime's <c>quantize_dynamic</c>): a few percent faster, but a
    /// row's result depends on its batch-mates, and a long or padded batch costs precision.
    /// </summary>
    PerTensor,
}
