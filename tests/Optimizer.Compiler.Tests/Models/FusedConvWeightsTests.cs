using Optimizer.Compiler.Linking;
using Optimizer.Compiler.Tests.Support;
using Optimizer.Onnx;
using Optimizer.Passes;
using Optimizer.Runtime.Compiled;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Compiler.Tests.Models;

/// <summary>
/// One copy of the conv weights (issue 15): the default passes' Fuse folds the constant affine after
/// each Conv (PaddleOCR's <c>Add(Mul(s, conv), t)</c>, BatchNormalization) into the model itself, so the
/// compiler finds nothing left to fold into a weight of its own and every conv weight of the program
/// is a reference to the optimized model's initializer (stored once, in the model). Before that fold
/// the compiler folded the affine into new weights, stored in the program beside the model's.
/// Each fused model still matches ONNX Runtime on the original.
/// </summary>
public sealed class FusedConvWeightsTests(ITestOutputHelper output)
{
    [Fact]
    public void A_paddle_conv_block_compiles_to_convs_that_read_the_models_weights()
    {
        var model = PaddleBlock();
        var input = OnnxTensor.FromFloats("x", [2, 8, 9, 11], Enumerable.Range(0, 2 * 8 * 9 * 11).Select(i => MathF.Sin(i * 0.37f)).ToArray());

        var fused = AssertFusedMatches(model, [input]);

        Assert.Equal(["Conv", "Add", "Clip", "Mul", "Div", "Conv", "Relu"], fused.Graph.Nodes.Select(n => n.OpType));
        AssertCompiledConvsReferenceTheModel(fused, [input]);
    }

    [ConditionalFact("data")]
    public void Ocr_direction_classifier_after_fuse_reads_every_conv_weight_from_the_model()
    {
        var model = SharedModels.Load("ch_ppocr_mobile_v2.0_cls_infer.onnx");
        var inputs = SharedModels.SyntheticInputs(FixedShapes.Bind(model.Clone(), new Dictionary<string, long> { ["p2o.DynamicDimension.1"] = 48, ["p2o.DynamicDimension.2"] = 192 }), 1)
            .Select(i => OnnxTensor.FromFloats(i.Name, i.Shape, i.Values)).ToArray();

        var fused = AssertFusedMatches(model, inputs);

        AssertCompiledConvsReferenceTheModel(fused, inputs);
    }

    [ConditionalFact(Needs.ThirdPartyModels)]
    public void Ppocr_v4_detector_after_fuse_reads_every_conv_weight_from_the_model()
    {
        var model = OnnxModelLoader.Load(Path.Combine(TestNeeds.ThirdPartyModels, "ch_PP-OCRv4_det_infer.onnx"));
        OnnxTensor[] inputs = [OnnxTensor.FromFloats("x", [1, 3, 96, 128], Enumerable.Range(0, 3 * 96 * 128).Select(i => 2 * MathF.Sin(i * 0.013f)).ToArray())];

        var fused = AssertFusedMatches(model, inputs);

        AssertCompiledConvsReferenceTheModel(fused, inputs);
    }

    /// <summary>
    /// PP-LCNet's block at odd sizes: Conv 3×3 (no bias) → Mul(s, ·) → Add(t, ·) (constants on the left)
    /// → HardSwish written out → Conv 1×1 → per-channel Mul → Sub → Relu.
    /// </summary>
    private static OnnxModel PaddleBlock()
    {
        var graph = new OnnxGraph("paddle-block");
        graph.DeclaredInputs.Add(new ValueInfo("x", ValueTypeInfo.Tensor(TensorElementType.Float, [Dim.Fixed(2), Dim.Fixed(8), Dim.Fixed(9), Dim.Fixed(11)])));
        graph.Outputs.Add(new ValueInfo("y", ValueTypeInfo.Tensor(TensorElementType.Float, null)));
        var seed = 0;
        string Constant(string name, long[] dims)
        {
            var random = new Random(++seed);
            graph.Initializers.Add(OnnxTensor.FromFloats(name, dims, Enumerable.Range(0, (int)dims.Aggregate(1L, (a, d) => a * d)).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray()));
            return name;
        }

        void Node(string op, string[] inputs, string output, params OnnxAttribute[] attributes)
        {
            var node = new OnnxNode(op, inputs, [output], output + "_node");
            foreach (var a in attributes) node.SetAttribute(a);
            graph.Nodes.Add(node);
        }

        Node("Conv", ["x", Constant("w1", [13, 8, 3, 3])], "c1", OnnxAttribute.FromInts("pads", [1, 1, 1, 1]));
        Node("Mul", [Constant("scale", [1]), "c1"], "m1");
        Node("Add", [Constant("shift", [1]), "m1"], "a1");
        graph.Initializers.Add(OnnxTensor.FromFloats("three", [], [3f]));
        graph.Initializers.Add(OnnxTensor.FromFloats("zero", [], [0f]));
        graph.Initializers.Add(OnnxTensor.FromFloats("six", [], [6f]));
        Node("Add", ["a1", "three"], "h1");
        Node("Clip", ["h1", "zero", "six"], "h2");
        Node("Mul", ["a1", "h2"], "h3");
        Node("Div", ["h3", "six"], "h4");
        Node("Conv", ["h4", Constant("w2", [17, 13, 1, 1]), Constant("b2", [17])], "c2");
        Node("Mul", ["c2", Constant("gamma", [1, 17, 1, 1])], "m2");
        Node("Sub", ["m2", Constant("mu", [17, 1, 1])], "s2");
        Node("Relu", ["s2"], "y");
        return new OnnxModel(graph, [new OpsetImport("", 13)]);
    }

    /// <summary>The default passes' result (clean-up and Fuse), with fewer nodes and the same outputs in ONNX Runtime.</summary>
    private OnnxModel AssertFusedMatches(OnnxModel model, OnnxTensor[] inputs)
    {
        var fused = PassPipeline.Run(model.Clone(), []).Model;
        output.WriteLine($"{model.Graph.Nodes.Count} nodes → {fused.Graph.Nodes.Count} after the default passes");
        Assert.True(fused.Graph.Nodes.Count < model.Graph.Nodes.Count);
        var expected = OrtRunner.Run(model, inputs);
        var actual = OrtRunner.Run(fused, inputs);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Null(Tolerance.Compare(SharedModels.Floats(expected[i]), SharedModels.Floats(actual[i]), 1e-4, 1e-5));
        }

        return fused;
    }

    /// <summary>
    /// Compiles the fused model: it matches ONNX Runtime, and every conv weight operand a reference
    /// would pay for (at least <see cref="InitializerReferences.MinReferencedBytes"/>) is read from
    /// one of the model's initializers, none stored in the program.
    /// </summary>
    private void AssertCompiledConvsReferenceTheModel(OnnxModel fused, OnnxTensor[] inputs)
    {
        using var program = ProgramRunner.Compile(fused);
        var expected = SharedModels.Floats(OrtRunner.Run(fused, inputs)[0]);
        Assert.Null(Tolerance.Compare(expected, ProgramRunner.Floats(ProgramRunner.Run(program, inputs)[0]), 1e-3, 1e-4));

        var convs = fused.Graph.Nodes.Where(n => n.OpType == "Conv").Select(n => n.Name.Length > 0 ? n.Name : n.Outputs[0]).ToHashSet(StringComparer.Ordinal);
        var operands = program.Steps.Where(s => convs.Contains(s.Node))
            .SelectMany(s => s.Operands.Where(o => o is { Region: BufferRegion.Weights, IsEmpty: false }).Select(o => (Step: s, Offset: o.ByteOffset.Constant!.Value, Bytes: o.Length.Constant!.Value * sizeof(float))))
            .Where(o => o.Bytes >= InitializerReferences.MinReferencedBytes)
            .ToArray();
        Assert.NotEmpty(operands);
        var stored = operands.Where(o => !program.References.Any(r => r.Offset <= o.Offset && o.Offset + o.Bytes <= r.Offset + r.Length)).ToArray();
        output.WriteLine($"{program.Steps.Count(s => convs.Contains(s.Node))} conv steps, {operands.Length} weight operands, {stored.Length} stored in the program; "
                         + $"program {program.ToBytes(ProgramWeights.FromModel).Length} bytes without the model's, {program.Weights.Length} with");
        Assert.True(stored.Length == 0, $"stored in the program, not read from the model: {string.Join("; ", stored.Take(5).Select(o => $"{o.Step.Node} ({o.Bytes} bytes)"))}");
    }
}
