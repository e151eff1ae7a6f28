using System.Buffers.Binary;
using System.Text;
using Optimizer.Onnx;

namespace Optimizer.Engine.Tests.HostileInput;

/// <summary>Small real models and data files for the hostile-input tests, written in the test's folder (linked into Optimizer.Tool.Tests too).</summary>
internal static class TinyModels
{
    /// <summary>logits[N,2] = Gemm(input[N,4], W[2,4]ᵀ, b): quantizable, loadable by ONNX Runtime.</summary>
    public static string Gemm(string path, long opset = 13)
    {
        var graph = new OnnxGraph("tiny_gemm");
        graph.DeclaredInputs.Add(new ValueInfo("input", ValueTypeInfo.Tensor(TensorElementType.Float, [Dim.Named("N"), Dim.Fixed(4)])));
        graph.Outputs.Add(new ValueInfo("logits", ValueTypeInfo.Tensor(TensorElementType.Float, [Dim.Named("N"), Dim.Fixed(2)])));
        graph.Initializers.Add(OnnxTensor.FromFloats("w", [2, 4], [0.5f, -0.25f, 0.75f, 1f, -1f, 0.5f, 0.25f, -0.5f]));
        graph.Initializers.Add(OnnxTensor.FromFloats("b", [2], [0.1f, -0.1f]));
        var node = new OnnxNode("Gemm", ["input", "w", "b"], ["logits"], "fc");
        node.Attributes.Add(OnnxAttribute.FromInt("transB", 1));
        graph.Nodes.Add(node);
        File.WriteAllBytes(path, OnnxModelWriter.ToBytes(new OnnxModel(graph, [new OpsetImport("", opset)], irVersion: 8)));
        return path;
    }

    /// <summary>
    /// y = x + float(Div(int64 min, -1)) from initializers: ONNX Runtime raises SIGFPE (the x86 idiv
    /// overflow) when it runs the division; our constant folding leaves it alone. Also linked into Optimizer.Tool.Tests.
    /// </summary>
    public static string DivisionOverflow(string path)
    {
        var graph = new OnnxGraph("div_overflow");
        graph.DeclaredInputs.Add(new ValueInfo("x", ValueTypeInfo.Tensor(TensorElementType.Float, [Dim.Fixed(1)])));
        graph.Outputs.Add(new ValueInfo("y", ValueTypeInfo.Tensor(TensorElementType.Float, [Dim.Fixed(1)])));
        graph.Initializers.Add(OnnxTensor.FromInt64s("dividend", [1], [long.MinValue]));
        graph.Initializers.Add(OnnxTensor.FromInt64s("divisor", [1], [-1]));
        graph.Nodes.Add(new OnnxNode("Div", ["dividend", "divisor"], ["quotient"], "div"));
        var cast = new OnnxNode("Cast", ["quotient"], ["quotient_float"], "cast");
        cast.Attributes.Add(OnnxAttribute.FromInt("to", (long)TensorElementType.Float));
        graph.Nodes.Add(cast);
        graph.Nodes.Add(new OnnxNode("Add", ["x", "quotient_float"], ["y"], "add"));
        File.WriteAllBytes(path, OnnxModelWriter.ToBytes(new OnnxModel(graph, [new OpsetImport("", 13)], irVersion: 8)));
        return path;
    }

    /// <summary>Seeded values in [-1, 1) for <paramref name="samples"/> samples of 4.</summary>
    public static float[] Samples(int samples)
    {
        var random = new Random(7);
        return Enumerable.Range(0, samples * 4).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }

    /// <summary>A version-1 .npy of little-endian float32 with <paramref name="shape"/>.</summary>
    public static string Npy(string path, float[] values, params long[] shape) =>
        NpyWithHeader(path, $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({string.Join(", ", shape)}{(shape.Length == 1 ? "," : "")}), }}", values);

    /// <summary>A version-1 .npy with the header text given as is (hostile headers) and the values after it.</summary>
    public static string NpyWithHeader(string path, string header, float[] values)
    {
        var total = (10 + header.Length + 1 + 63) / 64 * 64;
        var text = header.PadRight(total - 10 - 1) + "\n";
        var bytes = new List<byte> { 0x93 };
        bytes.AddRange("NUMPY"u8.ToArray());
        bytes.AddRange([1, 0]);
        var length = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)text.Length);
        bytes.AddRange(length);
        bytes.AddRange(Encoding.Latin1.GetBytes(text));
        foreach (var value in values)
        {
            var item = new byte[4];
            BinaryPrimitives.WriteSingleLittleEndian(item, value);
            bytes.AddRange(item);
        }

        File.WriteAllBytes(path, bytes.ToArray());
        return path;
    }
}
