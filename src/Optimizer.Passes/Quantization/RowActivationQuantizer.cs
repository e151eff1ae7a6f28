// Per-row dynamic quantization of an activation (ActivationScales.PerRow).
//
// Why per row: DynamicQuantizeLinear takes one scale over the whole tensor, so a sentence's
// embedding changes with whatever else is in its batch (and with its own padding), and one long
// outlier row costs every other row precision. One scale per row (per token of an encoder, per
// sample of an MLP) makes each row's result a function of that row alone.
//
// The form, chosen by measurement on ONNX Runtime 1.31's CPU provider (arctic_embed_xs, 1 thread):
//   m  = ReduceMax(Abs(x), axes = [-1], keepdims)                     [..., 1]
//   xq = QuantizeLinear(x / m, 1/127, 128)                             uint8, symmetric about 128
//   y  = MatMulIntegerToFloat(xq, Wq, m, w_scales / 127, 128)          com.microsoft
// The row scale is m/127; its 1/127 is folded into QuantizeLinear's constant scale and into the
// weight scales (MatMulIntegerRewriter), which saves a node per activation: at 16 tokens the
// chain's cost is mostly ONNX Runtime's per-node overhead.
// MatMulIntegerToFloat runs MLAS's u8×s8 GEMM with the per-column weight scales in its output
// stage and multiplies the rows by a non-scalar A scale of shape [..., 1] itself, so the row scale
// costs no extra pass over the output. Int8 activations with MatMulInteger ran 10–20× slower (ORT
// has no fast s8×s8 kernel on x64), and standard ops only (Round/Cast quantization, MatMulInteger
// → Cast → Mul → Mul) took 10.4 ms against this form's 9.2 ms at 128 tokens. The quantized activation feeds only integer GEMMs with
// 7-bit weights, so uint8 values up to 255 cannot overflow the 16-bit pair sums of CPUs without VNNI.
// An all-zero row has m = 0: x / m is NaN and quantizes to arbitrary codes, but MatMulIntegerToFloat
// multiplies that row's products by m = 0, so the row comes out exactly 0 (+ bias), as in float.
// So no guard node (a Max against a tiny floor) is spent on every activation.

using Optimizer.Onnx;

namespace Optimizer.Passes.Quantization;

/// <summary>Emits the per-row quantization of activations, once per activation, sharing its constants.</summary>
internal sealed class RowActivationQuantizer(OnnxGraph graph, UniqueNames names, long opset)
{
    /// <summary>The zero point of the uint8 activation: symmetric rows use ±127 around it.</summary>
    public const byte ZeroPoint = 128;

    private const float Levels = 127f;
    private const long ReduceAxesBecameInput = 18;

    private readonly Dictionary<string, (string Q, string Scale)> _quantized = new();
    private readonly Dictionary<string, string> _constants = new();

    /// <summary>The activation's quantization step is its row maximum times this: fold it into the weight scales.</summary>
    public const float StepPerRowMax = 1f / Levels;

    /// <summary>The uint8 activation, its per-row maximum [..., 1] (scale × 127) and the shared zero point.</summary>
    public (string Q, string Scale, string ZeroPoint) Quantize(string activation, List<OnnxNode> newNodes)
    {
        var zeroPoint = Constant("row_quantize_zero_point", () => OnnxTensor.FromUInt8s(names.Next("row_quantize_zero_point"), [], [ZeroPoint]));
        if (_quantized.TryGetValue(activation, out var done))
        {
            return (done.Q, done.Scale, zeroPoint);
        }

        string Name(string what) => names.Next($"{activation}_{what}");
        var magnitude = Name("abs");
        var rowMax = Name("row_absmax");
        var normalized = Name("row_normalized");
        var quantized = Name("row_quantized");
        newNodes.Add(new OnnxNode("Abs", [activation], [magnitude], Name("Abs")));
        newNodes.Add(RowMax(magnitude, rowMax, Name("ReduceMax")));
        newNodes.Add(new OnnxNode("Div", [activation, rowMax], [normalized], Name("Div")));
        newNodes.Add(new OnnxNode("QuantizeLinear", [normalized, Float("row_quantize_step", StepPerRowMax), zeroPoint], [quantized], Name("QuantizeLinear")));
        _quantized[activation] = (quantized, rowMax);
        return (quantized, rowMax, zeroPoint);
    }

    private OnnxNode RowMax(string input, string output, string name)
    {
        // axes moved from an attribute to an input in opset 18.
        if (opset >= ReduceAxesBecameInput)
        {
            var axes = Constant("row_quantize_last_axis", () => OnnxTensor.FromInt64s(names.Next("row_quantize_last_axis"), [1], [-1]));
            var node = new OnnxNode("ReduceMax", [input, axes], [output], name);
            node.SetAttribute(OnnxAttribute.FromInt("keepdims", 1));
            return node;
        }

        var legacy = new OnnxNode("ReduceMax", [input], [output], name);
        legacy.SetAttribute(OnnxAttribute.FromInts("axes", [-1]));
        legacy.SetAttribute(OnnxAttribute.FromInt("keepdims", 1));
        return legacy;
    }

    private string Float(string key, float value) => Constant(key, () => OnnxTensor.FromFloats(names.Next(key), [], [value]));

    private string Constant(string key, Func<OnnxTensor> create)
    {
        if (!_constants.TryGetValue(key, out var name))
        {
            var tensor = create();
            graph.Initializers.Add(tensor);
            name = _constants[key] = tensor.Name;
        }

        return name;
    }
}
