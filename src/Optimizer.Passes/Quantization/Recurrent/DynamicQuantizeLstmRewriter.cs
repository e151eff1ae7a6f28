// LSTM → com.microsoft DynamicQuantizeLSTM, the form ONNX Runtime's quantize_dynamic writes
// (operators/lstm.py) and its CPU provider runs (contrib_ops/cpu/quantization/dynamic_quantize_lstm.cc):
// - Inputs 0–7 are LSTM's (X, W, R, B, sequence_lens, initial_h, initial_c, P), then W_scale,
//   W_zero_point, R_scale, R_zero_point. The kernel quantizes X and the hidden state to uint8 per
//   step and multiplies by the int8 weights with MLAS; bias, gates and the cell stay float.
// - W and R are stored transposed, [num_directions, input_size, 4·hidden] and
//   [num_directions, hidden, 4·hidden] (LSTM's are [num_directions, 4·hidden, input_size]).
// - Scales and zero points are [num_directions] per tensor or [num_directions, 4·hidden] per gate
//   row (PerChannel); the kernel requires int8 zero points to be 0, which symmetric weights are.
// - The contrib op has LSTM's attributes except layout (opset 14); batch-first (layout=1) LSTMs
//   have no equivalent and stay float, layout=0 is dropped.

using Optimizer.Onnx;

namespace Optimizer.Passes.Quantization.Recurrent;

/// <summary>Replaces an LSTM with constant float W and R by DynamicQuantizeLSTM with int8 W and R.</summary>
internal sealed class DynamicQuantizeLstmRewriter(DynamicRewriteContext context) : IDynamicLayerRewriter
{
    /// <summary>The operator set domain of DynamicQuantizeLSTM.</summary>
    public const string Domain = "com.microsoft";

    private const int LstmInputs = 8;

    public (string? Detail, string? Reason) TryRewrite(OnnxNode node, GraphScope scope)
    {
        if (node.Inputs.Count < 3 || node.Inputs.Count > LstmInputs)
        {
            return (null, $"LSTM with {node.Inputs.Count} inputs is malformed");
        }

        if ((node.FindAttribute("layout")?.Int ?? 0) != 0)
        {
            return (null, "layout=1 (batch first) has no DynamicQuantizeLSTM equivalent");
        }

        foreach (var weightName in node.Inputs.Skip(1).Take(2))
        {
            if (WeightProblem.Of(scope, weightName, rank: 3, orHigher: false) is { } problem)
            {
                return (null, problem);
            }
        }

        if (scope.ElementTypeOf(node.Inputs[0]) is { } type and not TensorElementType.Float)
        {
            return (null, $"input '{node.Inputs[0]}' is {type}; only float32 activations are quantized");
        }

        var (w, wOwner) = scope.FindConstant(node.Inputs[1])!.Value;
        var (r, rOwner) = scope.FindConstant(node.Inputs[2])!.Value;
        var wNames = context.Derived(wOwner, w, "DynamicQuantizeLSTM", () => QuantizeTransposed(w));
        var rNames = context.Derived(rOwner, r, "DynamicQuantizeLSTM", () => QuantizeTransposed(r));

        var inputs = node.Inputs.Concat(Enumerable.Repeat("", LstmInputs - node.Inputs.Count)).ToList();
        (inputs[1], inputs[2]) = (wNames[0], rNames[0]);
        inputs.AddRange([wNames[1], wNames[2], rNames[1], rNames[2]]);
        var baseName = node.Name.Length > 0 ? node.Name : node.Outputs[0];
        var quantized = new OnnxNode("DynamicQuantizeLSTM", inputs, node.Outputs, context.Names.Next($"{baseName}_quant"), Domain);
        quantized.Attributes.AddRange(node.Attributes.Where(a => a.Name != "layout"));
        DynamicRewriteContext.Replace(scope.Graph, node, [quantized]);

        var granularity = context.PerChannel ? "per gate row" : "per direction";
        return ($"LSTM W [{string.Join("x", w.Dims)}] and R [{string.Join("x", r.Dims)}] → int8 {granularity}, DynamicQuantizeLSTM", null);
    }

    /// <summary>[D, 4H, K] float → [D, K, 4H] int8, with its scales and zero points ([D, 4H] or [D]).</summary>
    private IReadOnlyList<OnnxTensor> QuantizeTransposed(OnnxTensor weight)
    {
        var (directions, rows, columns) = ((int)weight.Dims[0], (int)weight.Dims[1], (int)weight.Dims[2]);
        long[] slices = context.PerChannel ? [directions * rows, columns] : [directions, rows * columns];
        var (q, scales) = PerAxisInt8Quantizer.Quantize(weight.ToFloatArray(), slices, 0, context.ReduceRange);

        var transposed = new sbyte[q.Length];
        for (var d = 0; d < directions; d++)
        {
            var block = rows * columns;
            Int8WeightQuantizer.Transpose(q[(d * block)..((d + 1) * block)], rows, columns).CopyTo(transposed, d * block);
        }

        long[] scaleDims = context.PerChannel ? [directions, rows] : [directions];
        return
        [
            OnnxTensor.FromInt8s(context.Names.Next($"{weight.Name}_quantized"), [directions, columns, rows], transposed),
            OnnxTensor.FromFloats(context.Names.Next($"{weight.Name}_scale"), scaleDims, scales),
            OnnxTensor.FromInt8s(context.Names.Next($"{weight.Name}_zero_point"), scaleDims, new sbyte[scales.Length]),
        ];
    }
}
