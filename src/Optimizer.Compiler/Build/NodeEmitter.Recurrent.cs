using Optimizer.Compiler.Shapes;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Build;

// ONNX LSTM and GRU: one Gemm step projects the input of every time step for every direction
// (X·Wᵀ + Wb + Rb, W packed as a constant), then one Lstm/Gru step per direction walks the time
// steps against its packed R. Weights must be constants; batch and sequence length stay symbolic.
internal static partial class NodeEmitter
{
    private static void EmitLstm(BuildContext ctx, OnnxNode node)
    {
        node.Reject("input_forget", a => a.Int != 0, "coupled input and forget gates are not supported");
        var layer = RecurrentLayer.Read(ctx, node, RecurrentLayer.Lstm);
        var xw = layer.EmitInputProjection(ctx, (gate, wb, rb) => wb + rb);
        var peepholes = layer.Constant(ctx, 7, "P", layer.Directions * 3 * layer.Hidden);
        var (h0, c0) = (layer.State(ctx, 5), layer.State(ctx, 6));
        var (y, yH, yC) = (layer.OutputY(ctx), layer.OutputState(ctx, 1), layer.OutputState(ctx, 2));
        var gates = 4 * layer.Hidden;
        for (var d = 0; d < layer.Directions; d++)
        {
            var packedR = layer.PackedR(ctx, d, 0, gates);
            var p = Skip(peepholes, d * 3 * layer.Hidden);
            ctx.Emit(StepKind.Lstm,
                [Skip(xw, d * gates), packedR, p, layer.ForDirection(h0, d), layer.ForDirection(c0, d), layer.ForDirection(y, d), layer.ForDirection(yH, d), layer.ForDirection(yC, d),
                    ctx.Scratch(layer.Batch * layer.Hidden * 6)], // Kernels.LstmScratchLength
                layer.KernelInts(d), [layer.Clip]);
        }
    }

    private static void EmitGru(BuildContext ctx, OnnxNode node)
    {
        var layer = RecurrentLayer.Read(ctx, node, RecurrentLayer.Gru);
        var linearBeforeReset = node.Int("linear_before_reset", 0) != 0;
        // The h gate's Rb sits inside r ⊙ (h·Rhᵀ + Rbh) when linear_before_reset: the kernel adds it there.
        var xw = layer.EmitInputProjection(ctx, (gate, wb, rb) => linearBeforeReset && gate == 2 ? wb : wb + rb);
        var h0 = layer.State(ctx, 5);
        var (y, yH) = (layer.OutputY(ctx), layer.OutputState(ctx, 1));
        var hidden = layer.Hidden;
        for (var d = 0; d < layer.Directions; d++)
        {
            var rhBias = linearBeforeReset ? layer.RecurrentBias(ctx, d, 2) : BuildContext.Empty;
            ctx.Emit(StepKind.Gru,
                [Skip(xw, d * 3 * hidden), layer.PackedR(ctx, d, 0, 2 * hidden), layer.PackedR(ctx, d, 2 * hidden, hidden), rhBias,
                    layer.ForDirection(h0, d), layer.ForDirection(y, d), layer.ForDirection(yH, d), ctx.Scratch(layer.Batch * hidden * 5)], // Kernels.GruScratchLength
                [.. layer.KernelInts(d), linearBeforeReset ? 1 : 0], [layer.Clip]);
        }
    }

    /// <summary>An operand without its first <paramref name="floats"/> elements (an empty operand stays empty).</summary>
    private static RawOperand Skip(RawOperand operand, Dim floats) =>
        operand.Storage is null ? operand : operand with { ByteOffset = operand.ByteOffset + floats * 4, Length = operand.Length - floats };

    /// <summary>
    /// What LSTM and GRU share: the attributes, the shapes by layout (0: X [seq, batch, input],
    /// states [dirs, batch, hidden], Y [seq, dirs, batch, hidden]; 1: batch first in all three),
    /// the constant weights and the input projection.
    /// </summary>
    private sealed class RecurrentLayer
    {
        /// <summary>The two operators: gate count and ONNX default activations (the only ones the kernels run).</summary>
        public static readonly (int Gates, string[] Activations) Lstm = (4, ["Sigmoid", "Tanh", "Tanh"]), Gru = (3, ["Sigmoid", "Tanh"]);

        private readonly OnnxNode _node;
        private readonly ConstData _w, _r;
        private readonly ConstData? _b;
        private readonly int _layout;

        private RecurrentLayer(OnnxNode node, ConstData w, ConstData r, ConstData? b, int layout)
        {
            (_node, _w, _r, _b, _layout) = (node, w, r, b, layout);
        }

        public int Gates { get; private init; }

        public int Directions { get; private init; }

        public long Hidden { get; private init; }

        public long InputSize { get; private init; }

        public Dim Seq { get; private init; }

        public Dim Batch { get; private init; }

        public float Clip { get; private init; }

        private Val X { get; init; } = null!;

        private string Direction { get; init; } = "";

        /// <summary>The projection's row width: every direction's gates side by side.</summary>
        private long Width => Directions * Gates * Hidden;

        public static RecurrentLayer Read(BuildContext ctx, OnnxNode node, (int Gates, string[] Activations) op)
        {
            var x = Float(ctx, node.Inputs[0]);
            var direction = node.Str("direction", "forward");
            var directions = direction switch
            {
                "forward" or "reverse" => 1,
                "bidirectional" => 2,
                _ => throw new UnsupportedException($"direction '{direction}' is not supported"),
            };
            var layout = (int)node.Int("layout", 0);
            if (x.Shape.Length != 3 || layout is not (0 or 1))
            {
                throw new UnsupportedException($"{node.OpType} takes a 3-D X and layout 0 or 1");
            }

            if (node.FindAttribute("activations") is { } activations
                && !activations.Strings.SequenceEqual(Enumerable.Repeat(op.Activations, directions).SelectMany(a => a), StringComparer.OrdinalIgnoreCase))
            {
                throw new UnsupportedException($"activations {string.Join(", ", activations.Strings)}: the kernels run the defaults ({string.Join(", ", op.Activations)})");
            }

            node.Reject("activation_alpha", _ => true, "only the default activations are supported");
            node.Reject("activation_beta", _ => true, "only the default activations are supported");
            var clip = node.Float("clip", 0f);
            if (node.FindAttribute("clip") is not null && !(clip > 0))
            {
                throw new UnsupportedException($"clip {clip} is not a positive threshold");
            }

            var w = Weight(ctx, node, 1, "W");
            var r = Weight(ctx, node, 2, "R");
            if (w.Shape.Length != 3 || r.Shape.Length != 3 || w.Shape[0] != directions || r.Shape[0] != directions
                || w.Shape[1] % op.Gates != 0 || r.Shape[1] != w.Shape[1] || r.Shape[2] * op.Gates != r.Shape[1])
            {
                throw new UnsupportedException($"W {Dims.Of(w.Shape).Format()} and R {Dims.Of(r.Shape).Format()} do not fit {directions} direction(s) of {op.Gates} gates");
            }

            var hidden = r.Shape[2];
            if (node.FindAttribute("hidden_size") is { } declared && declared.Int != hidden)
            {
                throw new UnsupportedException($"hidden_size {declared.Int} differs from R's {hidden}");
            }

            var (seq, batch) = layout == 0 ? (x.Shape[0], x.Shape[1]) : (x.Shape[1], x.Shape[0]);
            if (x.Shape[2] != w.Shape[2])
            {
                throw new UnsupportedException($"X's input size {x.Shape[2]} differs from W's {w.Shape[2]}");
            }

            var b = ctx.Optional(node, 3) is null ? null : Weight(ctx, node, 3, "B");
            if (b is not null && b.Count != directions * 2 * op.Gates * hidden)
            {
                throw new UnsupportedException($"B {Dims.Of(b.Shape).Format()} does not hold Wb and Rb for every gate");
            }

            RequireFullSequences(ctx, node, seq, batch);
            return new RecurrentLayer(node, w, r, b, layout)
            {
                Gates = op.Gates, Directions = directions, Hidden = hidden, InputSize = w.Shape[2], Seq = seq, Batch = batch, Clip = clip, X = x, Direction = direction,
            };
        }

        /// <summary>
        /// One Gemm over all time steps and directions: xw [seq·batch rows in X's order, Width] =
        /// X·Wᵀ + the bias <paramref name="bias"/>(gate, Wb, Rb) makes of B (none without B).
        /// </summary>
        public RawOperand EmitInputProjection(BuildContext ctx, Func<int, float, float, float> bias)
        {
            var rows = Seq * Batch;
            var xw = ctx.Scratch(rows * Width);
            var packedW = PackedTransposedRows(ctx, $"rnn-w:{_node.Inputs[1]}", _w, 0, Width, InputSize);
            var biasOperand = _b is not { } b ? BuildContext.Empty : ctx.WeightOp($"rnn-bias:{_node.Outputs.FirstOrDefault(o => o.Length > 0)}:{_node.Inputs[3]}", () =>
            {
                var values = b.AsFloats();
                var perDirection = Gates * Hidden;
                return Enumerable.Range(0, (int)Width).Select(column =>
                {
                    var (d, unit) = (column / perDirection, column % perDirection);
                    var wb = values[d * 2 * perDirection + unit];
                    return bias((int)(unit / Hidden), wb, values[d * 2 * perDirection + perDirection + unit]);
                }).ToArray();
            });
            ctx.Emit(StepKind.Gemm, [ctx.Op(X), packedW, biasOperand, xw], [1, rows, Width, InputSize, 0, 0, 0, 0], [1f, 0f, 0f]);
            return xw;
        }

        /// <summary>Rows [first, first + count) of direction <paramref name="direction"/>'s R, packed as their transpose.</summary>
        public RawOperand PackedR(BuildContext ctx, int direction, long first, long count) =>
            PackedTransposedRows(ctx, $"rnn-r:{_node.Inputs[2]}:{direction}:{first}", _r, direction * Gates * Hidden + first, count, Hidden);

        /// <summary>Rb of one gate of one direction (hidden floats).</summary>
        public RawOperand RecurrentBias(BuildContext ctx, int direction, int gate) => _b is not { } b ? BuildContext.Empty
            : ctx.WeightOp($"rnn-rb:{_node.Inputs[3]}:{direction}:{gate}", () => b.AsFloats().AsSpan((int)((direction * 2 + 1) * Gates * Hidden + gate * Hidden), (int)Hidden).ToArray());

        /// <summary>A constant optional input of <paramref name="count"/> floats (P), or empty.</summary>
        public RawOperand Constant(BuildContext ctx, int index, string what, long count)
        {
            if (ctx.Optional(_node, index) is null)
            {
                return BuildContext.Empty;
            }

            var data = Weight(ctx, _node, index, what);
            return data.Count == count ? ctx.Op(ctx.Get(_node.Inputs[index])) : throw new UnsupportedException($"{what} has {data.Count} elements, expected {count}");
        }

        /// <summary>initial_h or initial_c (runtime or constant), or empty for zeros.</summary>
        public RawOperand State(BuildContext ctx, int index)
        {
            if (ctx.Optional(_node, index) is not { } v)
            {
                return BuildContext.Empty;
            }

            var expected = StateShape().Product();
            if (v.Type != TensorElementType.Float || v.Count != expected)
            {
                throw new UnsupportedException($"input {index} must be float32 {StateShape().Format()}");
            }

            // Equal here but other expressions (a state whose batch is another symbol): the program holds only where they agree.
            if (!v.Count.Size.Equals(expected.Size))
            {
                ctx.Decide(v.Count, expected, ShapeRelation.Equal);
            }

            return ctx.Op(v);
        }

        /// <summary>Y, when the node names it.</summary>
        public RawOperand OutputY(BuildContext ctx) => Output(ctx, 0, _layout == 0 ? [Seq, Directions, Batch, Hidden] : [Batch, Seq, Directions, Hidden]);

        /// <summary>Y_h or Y_c, when the node names it.</summary>
        public RawOperand OutputState(BuildContext ctx, int index) => Output(ctx, index, StateShape());

        /// <summary>
        /// A state (initial or final) or Y from direction <paramref name="direction"/>'s first row:
        /// the directions sit between batch and hidden (layout 1) or above batch (layout 0) in both.
        /// </summary>
        public RawOperand ForDirection(RawOperand operand, int direction) => Skip(operand, direction * (_layout == 0 ? Batch * Hidden : Hidden));

        /// <summary>seq, batch, hidden, reverse, xwStepStride, xwBatchStride, yStepStride, yBatchStride, stateBatchStride.</summary>
        public Dim[] KernelInts(int direction)
        {
            var reverse = Direction == "reverse" || direction == 1 ? 1 : 0;
            Dim dirsHidden = Directions * Hidden;
            return _layout == 0
                ? [Seq, Batch, Hidden, reverse, Batch * Width, Width, Batch * dirsHidden, Hidden, Hidden]
                : [Seq, Batch, Hidden, reverse, Width, Seq * Width, dirsHidden, Seq * dirsHidden, dirsHidden];
        }

        private Dim[] StateShape() => _layout == 0 ? [Directions, Batch, Hidden] : [Batch, Directions, Hidden];

        private RawOperand Output(BuildContext ctx, int index, Dim[] shape) =>
            index < _node.Outputs.Count && _node.Outputs[index].Length > 0 ? ctx.Op(Out(ctx, _node.Outputs[index], shape)) : BuildContext.Empty;

        private static ConstData Weight(BuildContext ctx, OnnxNode node, int index, string what)
        {
            var v = ctx.Get(node.Inputs[index]);
            return v is { Type: TensorElementType.Float, Const: { } data } ? data : throw new UnsupportedException($"{node.OpType}'s {what} must be a float32 constant");
        }

        /// <summary>sequence_lens may only say what the shape says: every sequence runs the full length.</summary>
        private static void RequireFullSequences(BuildContext ctx, OnnxNode node, Dim seq, Dim batch)
        {
            if (ctx.Optional(node, 4) is not { } lengths)
            {
                return;
            }

            var values = lengths.Const?.IntegerValues("sequence_lens") ?? throw new UnsupportedException("sequence_lens must be absent or a constant");
            var full = seq.Constant("the sequence length with a sequence_lens input");
            if (values.Length != batch.Constant("the batch with a sequence_lens input") || values.Any(v => v != full))
            {
                throw new UnsupportedException("sequence_lens shorter than the sequence (padded batches) is not supported");
            }
        }

        /// <summary>Rows [first, first + count) of a constant [*, k] matrix as the kernels' packed B (their transpose, [k, count]).</summary>
        private static RawOperand PackedTransposedRows(BuildContext ctx, string key, ConstData matrix, long first, long count, long k) =>
            ctx.WeightOp(key, () =>
            {
                var packed = new float[Kernels.PackedBLength((int)k, (int)count)];
                Kernels.PackB(matrix.AsFloats().AsSpan((int)(first * k), (int)(count * k)), packed, 1, (int)k, (int)count, 1, (int)(count * k));
                return packed;
            });
    }
}
