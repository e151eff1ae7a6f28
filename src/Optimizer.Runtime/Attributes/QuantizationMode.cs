namespace Optimizer.Runtime;

/// <summary>How <see cref="QuantizeAttribute"/> lowers the precision of a model.</summary>
#if OPTIMIZER_SCHEMA_COPY
internal
#else
public
#endif
enum QuantizationMode
{
    /// <summary>INT8 weights; activations quantized at run time from their observed range. Needs no data.</summary>
    DynamicInt8,

    /// <summary>INT8 weights and activations with ranges measured on calibration data (<see cref="QuantizeAttribute.Calibration"/>).</summary>
    StaticInt8,

    /// <summary>IEEE half-precision weights and activations; best on GPUs.</summary>
    Float16,

    /// <summary>4-bit weight-only quantization, for large MatMul weights.</summary>
    Int4,
}
