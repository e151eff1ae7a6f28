namespace Optimizer.Onnx;

/// <summary>What kind of value a graph input, output or intermediate holds.</summary>
public enum ValueKind
{
    /// <summary>The type is missing or of a kind this version does not model (e.g. ONNX-ML opaque).</summary>
    Unknown = 0,
    /// <summary>A dense tensor.</summary>
    Tensor,
    /// <summary>A sequence of values.</summary>
    Sequence,
    /// <summary>A map from a key type to values.</summary>
    Map,
    /// <summary>A value that may be absent.</summary>
    Optional,
    /// <summary>A sparse tensor.</summary>
    SparseTensor,
}
