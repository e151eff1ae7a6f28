using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Linking;

/// <summary>
/// Finds which of a program's weight tensors are the model's own initializers, as they are or as
/// <see cref="Kernels.PackB"/>, <see cref="Kernels.PackInt8B"/> or <see cref="Kernels.PackInt8TapMajor"/> pack them, so the stored program can leave those bytes out and
/// rebuild them from the embedded model at load time (one copy of the weights per app). Matching is
/// by content, never by how the compiler got there: a weight is referenced only when transforming
/// the initializer gives exactly its bytes, so a reference can never load different weights.
/// </summary>
internal static class InitializerReferences
{
    /// <summary>Smaller tensors stay in the program: a reference (offset, name) would cost about as much.</summary>
    public const int MinReferencedBytes = 256;

    /// <summary>For each weight, the initializer and transform that rebuild it (its offset filled in by the caller), or null.</summary>
    public static WeightReference?[] Find(OnnxModel model, IReadOnlyList<byte[]> weights)
    {
        var found = new WeightReference?[weights.Count];
        var byLength = Enumerable.Range(0, weights.Count).Where(i => weights[i].Length >= MinReferencedBytes)
            .ToLookup(i => (long)weights[i].Length);
        if (byLength.Count == 0)
        {
            return found;
        }

        // A small initializer counts too: packed to 16-column panels, a conv's few weights can outgrow the threshold.
        foreach (var initializer in model.Graph.Initializers.Where(t => !t.StaysInFile))
        {
            var raw = new Lazy<byte[]>(initializer.ToRawBytes);
            foreach (var (transform, args, length) in Candidates(initializer))
            {
                foreach (var index in byLength[length].Where(i => found[i] is null))
                {
                    var reference = new WeightReference(0, length, initializer.Name, transform, args);
                    if (Produce(reference, raw.Value).AsSpan().SequenceEqual(weights[index]))
                    {
                        found[index] = reference;
                    }
                }
            }
        }

        return found;
    }

    /// <summary>The transforms that could have made a weight from <paramref name="initializer"/>, with the bytes each makes.</summary>
    private static IEnumerable<(WeightTransform Transform, int[] Args, long Length)> Candidates(OnnxTensor initializer)
    {
        yield return (WeightTransform.Raw, [], initializer.RawByteCount);
        var dims = initializer.Dims;
        if (dims.Count < 2 || dims.Any(d => d <= 0 || d > int.MaxValue))
        {
            yield break;
        }

        if (initializer.ElementType == TensorElementType.Int8 && dims.Count == 2)
        {
            // MatMulInteger's and a fused QDQ Gemm's B: [k, n], or [n, k] with transB.
            yield return (WeightTransform.PackInt8B, [(int)dims[0], (int)dims[1], 0], Kernels.PackedInt8BLength((int)dims[0], (int)dims[1]));
            yield return (WeightTransform.PackInt8B, [(int)dims[1], (int)dims[0], 1], Kernels.PackedInt8BLength((int)dims[1], (int)dims[0]));
        }

        if (initializer.ElementType == TensorElementType.Int8 && dims.Count == 4 && dims.Aggregate(1L, (a, d) => a * d) <= int.MaxValue)
        {
            // A fused QDQ Conv's [m, c, kh, kw]: the per-image packed weights ([m, c·kh·kw] with transB) and the batched path's tap-major ones.
            var (m, c, kh, kw) = ((int)dims[0], (int)dims[1], (int)dims[2], (int)dims[3]);
            yield return (WeightTransform.PackInt8B, [c * kh * kw, m, 1], Kernels.PackedInt8BLength(c * kh * kw, m));
            yield return (WeightTransform.PackInt8TapMajor, [c, m, kh, kw], Kernels.PackedInt8TapMajorLength(c, m, kh, kw));
        }

        if (initializer.ElementType != TensorElementType.Float)
        {
            yield break;
        }

        if (dims.Count >= 3 && dims.Aggregate(1L, (a, d) => a * d) <= int.MaxValue)
        {
            // A Conv's weights [m, c, kh, kw] (or [m, c, k]) read as Bᵀ [m, c·kh·kw]: the GEMM operand of a dense or framed convolution.
            var (m, perChannel) = ((int)dims[0], (int)dims.Skip(1).Aggregate(1L, (a, d) => a * d));
            yield return (WeightTransform.PackB, [1, perChannel, m, 1], (long)Kernels.PackedBLength(perChannel, m) * sizeof(float));
        }

        var (batch, rows, columns) = (dims.Take(dims.Count - 2).Aggregate(1L, (a, d) => a * d), (int)dims[^2], (int)dims[^1]);
        // MatMul's B is [.., k, n]; Gemm's with transB is [n, k].
        foreach (var args in dims.Count == 2 ? new[] { new[] { 1, rows, columns, 0 }, new[] { 1, columns, rows, 1 } } : [[(int)batch, rows, columns, 0]])
        {
            yield return (WeightTransform.PackB, args, (long)Kernels.PackedBLength(args[1], args[2]) * args[0] * sizeof(float));
        }
    }

    /// <summary>What the runtime will build from the initializer's bytes (the same code).</summary>
    private static byte[] Produce(WeightReference reference, byte[] source)
    {
        var produced = new byte[reference.Length];
        reference.Fill(source, produced);
        return produced;
    }
}
