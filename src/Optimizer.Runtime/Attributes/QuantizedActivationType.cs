namespace Optimizer.Runtime;

/// <summary>The 8-bit type of quantized activations.</summary>
#if OPTIMIZER_SCHEMA_COPY
internal
#else
public
#endif
enum QuantizedActivationType
{
    /// <summary>The default: unsigned, what ONNX Runtime's x86 integer kernels are built for.</summary>
    UInt8,

    /// <summary>Signed, symmetric around zero.</summary>
    Int8,
}
