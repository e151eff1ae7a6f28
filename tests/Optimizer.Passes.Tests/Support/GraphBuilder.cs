using Optimizer.Onnx;

namespace Optimizer.Passes.Tests.Support;

/// <summary>Builds small models through the IR.</summary>
internal static class GraphBuilder
{
    public static float[] Values(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }

    /// <summary>y = x · W with x [batch, k] and W [k, n].</summary>
    public static OnnxModel MatMul(int k, int n, long opset = 13)
    {
        var graph = new OnnxGraph("matmul");
        graph.DeclaredInputs.Add(Tensor("x", Dim.Named("batch"), Dim.Fixed(k)));
        graph.Outputs.Add(Tensor("y", Dim.Named("batch"), Dim.Fixed(n)));
        graph.Initializers.Add(OnnxTensor.FromFloats("W", [k, n], Values(k * n, 1)));
        graph.Nodes.Add(new OnnxNode("MatMul", ["x", "W"], ["y"], "matmul"));
        return new OnnxModel(graph, [new OpsetImport("", opset)]);
    }

    /// <summary>y = alpha · x · Bᵀ + beta · C with B [n, k] (transB=1) and C [n] constant.</summary>
    public static OnnxModel Gemm(int k, int n, float alpha, float beta, bool constantBias = true)
    {
        var graph = new OnnxGraph("gemm");
        graph.DeclaredInputs.Add(Tensor("x", Dim.Named("batch"), Dim.Fixed(k)));
        graph.Outputs.Add(Tensor("y", Dim.Named("batch"), Dim.Fixed(n)));
        graph.Initializers.Add(OnnxTensor.FromFloats("B", [n, k], Values(k * n, 2)));
        if (constantBias)
        {
            graph.Initializers.Add(OnnxTensor.FromFloats("C", [n], Values(n, 3)));
        }
        else
        {
            graph.DeclaredInputs.Add(Tensor("C", Dim.Fixed(n)));
        }

        var gemm = new OnnxNode("Gemm", ["x", "B", "C"], ["y"], "gemm");
        gemm.SetAttribute(OnnxAttribute.FromInt("transB", 1));
        gemm.SetAttribute(OnnxAttribute.FromFloat("alpha", alpha));
        gemm.SetAttribute(OnnxAttribute.FromFloat("beta", beta));
        graph.Nodes.Add(gemm);
        return new OnnxModel(graph, [new OpsetImport("", 13)]);
    }

    public static ValueInfo Tensor(string name, params Dim[] dims) => new(name, ValueTypeInfo.Tensor(TensorElementType.Float, dims));
}
