using Optimizer.Onnx;
using Optimizer.Passes.Tests.Support;

namespace Optimizer.Passes.Tests.Cleanup;

/// <summary>Helpers for the small graphs the clean-up and fusion tests build.</summary>
internal static class TinyGraphs
{
    public static OnnxModel Model(OnnxGraph graph, long opset = 13) => new(graph, [new OpsetImport("", opset)]);

    public static OnnxGraph Graph(string input, long[] inputDims, string output)
    {
        var graph = new OnnxGraph("tiny");
        graph.DeclaredInputs.Add(GraphBuilder.Tensor(input, inputDims.Select(Dim.Fixed).ToArray()));
        graph.Outputs.Add(new ValueInfo(output, ValueTypeInfo.Tensor(TensorElementType.Float, null)));
        return graph;
    }

    public static OnnxNode Node(string op, string[] inputs, string[] outputs, params OnnxAttribute[] attributes)
    {
        var node = new OnnxNode(op, inputs, outputs, outputs[0] + "_node");
        foreach (var a in attributes) node.SetAttribute(a);
        return node;
    }

    public static OnnxNode Constant(string output, OnnxTensor value) => Node("Constant", [], [output], OnnxAttribute.FromTensor("value", value));

    public static OnnxTensor Input(OnnxModel model, int seed = 5)
    {
        var input = model.Graph.Inputs[0];
        var dims = input.Type!.Shape!.Select(d => d.Size ?? 1).ToArray();
        return OnnxTensor.FromFloats(input.Name, dims, GraphBuilder.Values((int)dims.Aggregate(1L, (a, b) => a * b), seed));
    }

    /// <summary>Runs the default pipeline and asserts ONNX Runtime gives equal outputs before and after.</summary>
    public static PipelineResult RunAndCompare(OnnxModel model, double absoluteFloor = 1e-5)
    {
        var result = PassPipeline.Run(model, []);
        var input = Input(model);
        var difference = OrtRunner.Difference(OrtRunner.Run(model, [input]), OrtRunner.Run(result.Model, [input]), absoluteFloor);
        Assert.True(difference is null, difference);
        return result;
    }

    public static PassReport Report(PipelineResult result, string pass) => result.Reports.Single(r => r.Pass == pass);

    public static string[] Ops(OnnxModel model) => model.Graph.Nodes.Select(n => n.OpType).ToArray();
}
