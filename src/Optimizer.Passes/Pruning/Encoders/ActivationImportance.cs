// Data-driven importance, measured on the declared calibration data by running the unpruned model once:
//   FFN neuron i: mean over every position of |a_i| (the activation Down reads) × ‖W2 row i‖₂, the average
//     size of what the neuron adds to the residual stream;
//   head h: mean over every position of ‖c_h · O_h‖₂, where c_h is the head's context vector (d values of
//     the attention output [b, H, s, d]) and O_h its d rows of the output projection: the size of what the
//     head adds. ‖c·O_h‖² = cᵀ(O_h O_hᵀ)c, so each position costs d² per head, not d·D.
// Every position counts, padding included (the model computes them too); sums run in double in a fixed order.

using Optimizer.Onnx;
using Optimizer.Passes.Calibration;
using Optimizer.Passes.Data;

namespace Optimizer.Passes.Pruning.Encoders;

/// <summary>Importance of every FFN neuron and attention head of the found blocks, from activations on calibration data.</summary>
internal static class ActivationImportance
{
    private const int BatchSize = 64;

    public static (Dictionary<FfnBlock, double[]> Neurons, Dictionary<AttentionBlock, double[]> Heads) Measure(
        OnnxModel model, IReadOnlyList<FfnBlock> ffns, IReadOnlyList<AttentionBlock> attentions, SampleSet data, IModelExecutor executor)
    {
        var neurons = ffns.ToDictionary(f => f.Activation, f => new NeuronSums(f));
        var heads = attentions.ToDictionary(a => a.Context, a => new HeadSums(a));
        var observed = neurons.Keys.Concat(heads.Keys).ToArray();
        ObservedRuns.Stream(model, data, executor, observed, BatchSize,
            new ObservedRunErrors(PassErrorCodes.PruneImportanceFailed, PassErrorCodes.PruneImportanceFailed, PrunePass.Name, " to rank neurons and heads"),
            (name, values, shape) =>
            {
                if (neurons.TryGetValue(name, out var n))
                {
                    n.Add(values);
                }
                else
                {
                    heads[name].Add(values, shape);
                }
            });

        return (neurons.Values.ToDictionary(n => n.Block, n => n.Scores()), heads.Values.ToDictionary(h => h.Block, h => h.Scores()));
    }

    private sealed class NeuronSums(FfnBlock block)
    {
        private readonly double[] _sums = new double[block.Neurons];
        private long _positions;

        public FfnBlock Block => block;

        public void Add(float[] activation)
        {
            for (var at = 0; at < activation.Length; at += _sums.Length)
            {
                for (var i = 0; i < _sums.Length; i++)
                {
                    _sums[i] += Math.Abs(activation[at + i]);
                }
            }

            _positions += activation.Length / _sums.Length;
        }

        public double[] Scores()
        {
            var rows = FilterRanking.Norms(block.Down.Weight.ToFloatArray(), block.Down.Weight.Dims, 0, PruneNorm.L2);
            return _sums.Select((s, i) => s / Math.Max(1, _positions) * rows[i]).ToArray();
        }
    }

    private sealed class HeadSums
    {
        private readonly double[][] _gram; // O_h O_hᵀ per head, d×d row-major
        private readonly double[] _sums;
        private long _positions;

        public HeadSums(AttentionBlock block)
        {
            Block = block;
            var (d, width) = (block.HeadSize, (int)block.Output.Weight.Dims[1]);
            var o = block.Output.Weight.ToFloatArray();
            _gram = Enumerable.Range(0, block.Heads).Select(h =>
            {
                var g = new double[d * d];
                for (var i = 0; i < d; i++)
                {
                    for (var j = 0; j < d; j++)
                    {
                        double dot = 0;
                        for (var k = 0; k < width; k++)
                        {
                            dot += (double)o[((h * d) + i) * width + k] * o[((h * d) + j) * width + k];
                        }

                        g[i * d + j] = dot;
                    }
                }

                return g;
            }).ToArray();
            _sums = new double[block.Heads];
        }

        public AttentionBlock Block { get; }

        /// <param name="context">The attention output [b, H, s, d].</param>
        /// <param name="shape">Its shape.</param>
        public void Add(float[] context, long[] shape)
        {
            var d = Block.HeadSize;
            var (batch, sequence) = ((int)shape[0], (int)shape[2]);
            for (var b = 0; b < batch; b++)
            {
                for (var h = 0; h < Block.Heads; h++)
                {
                    var g = _gram[h];
                    for (var s = 0; s < sequence; s++)
                    {
                        var c = context.AsSpan((((b * Block.Heads) + h) * sequence + s) * d, d);
                        double squared = 0;
                        for (var i = 0; i < d; i++)
                        {
                            double row = 0;
                            for (var j = 0; j < d; j++)
                            {
                                row += g[i * d + j] * c[j];
                            }

                            squared += c[i] * row;
                        }

                        _sums[h] += Math.Sqrt(Math.Max(0, squared));
                    }
                }
            }

            _positions += (long)batch * sequence;
        }

        public double[] Scores() => _sums.Select(s => s / Math.Max(1, _positions)).ToArray();
    }
}
