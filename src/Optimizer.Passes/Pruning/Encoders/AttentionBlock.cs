// A multi-head self-attention block, found by its shape (names and sizes play no part):
//
//   Q/K/V = x·W[D, H·d] + b → Reshape [b, s, H, d] → Transpose (K: to [b, H, d, s]) (Q and Kᵀ may each be scaled by a scalar, as SDPA exports)
//   scores = Q·Kᵀ (scaled, masked: elementwise ops whose other input is a scalar or has one head, HeadBroadcast.cs) → Softmax
//   context = Transpose(scores·V) → Reshape [b, s, H·d] → MatMul O [H·d, D]
//
// Removing head h removes Q/K/V's columns h·d … h·d+d−1 (weights and biases) and O's rows of the same
// indices, and the head count H in the three split Reshapes' shapes (and H·d in the merge's) becomes
// the kept count. Values that only carry the batch or sequence length to a shape (Shape → Gather 0 or 1)
// may read the projections; anything else that reads a value of the block would see its width change, so
// the block is refused with the reason.

using Optimizer.Onnx;

namespace Optimizer.Passes.Pruning.Encoders;

/// <summary>One projection of Q, K or V and the Reshape that splits it into heads.</summary>
internal sealed record HeadSplit(Projection Projection, OnnxNode Reshape, IReadOnlyList<ShapeEntry> Shape);

/// <summary>A value of the block whose axis <see cref="AxisFromEnd"/> has <see cref="PerHead"/> entries per head (1 on a head axis, the head size on a feature axis).</summary>
internal sealed record HeadAxis(string Value, int AxisFromEnd, int PerHead);

/// <summary>
/// A self-attention block: its three head splits, the output projection, the merge Reshape and its shape, <see cref="Context"/>
/// (the per-head attention output [b, H, s, d]) and the values whose head count changes with the heads kept.
/// </summary>
internal sealed record AttentionBlock(HeadSplit Query, HeadSplit Key, HeadSplit Value, Projection Output, OnnxNode Merge,
    IReadOnlyList<ShapeEntry> MergeShape, int Heads, int HeadSize, string Context, IReadOnlyList<HeadAxis> HeadValues)
{
    public string Name => LayerNames.Of(Output.MatMul);

    public IEnumerable<HeadSplit> Splits => [Query, Key, Value];
}
