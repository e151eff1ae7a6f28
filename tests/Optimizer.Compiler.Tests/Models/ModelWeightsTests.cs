using Optimizer.Compiler.Tests.Support;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;
using Optimizer.Tests.Shared;

namespace Optimizer.Compiler.Tests.Models;

/// <summary>
/// One copy of the weights per app: a stored program leaves out the weights that are its model's
/// initializers (as they are, or packed) and rebuilds them from the serialized model at load time,
/// bit for bit; a model that does not hold them is refused with a reason, never read past its end.
/// </summary>
public sealed class ModelWeightsTests
{
    [ConditionalTheory("data")]
    [InlineData("digits_mlp.onnx")]
    [InlineData("digits_cnn.onnx")]
    public void A_program_stored_without_the_models_weights_loads_the_same_weights_and_outputs(string file)
    {
        var model = SharedModels.Load(file);
        var modelBytes = OnnxModelWriter.ToBytes(model);
        using var program = KernelCompiler.Compile(model).Program!;
        var stored = program.ToBytes(ProgramWeights.FromModel);

        Assert.NotEmpty(program.References);
        var referenced = program.References.Sum(r => r.Length);
        // The reference table (format 5): gap and length varints, the name, the transform, the argument count and zigzag arguments.
        var table = program.References.Select((r, i) => ProgramVarints.Of((ulong)(r.Offset - (i == 0 ? 0 : program.References[i - 1].Offset + program.References[i - 1].Length))).Length
            + ProgramVarints.Of((ulong)r.Length).Length + ProgramVarints.Of((ulong)r.Initializer.Length).Length + r.Initializer.Length + 1
            + ProgramVarints.Of((ulong)r.Args.Count).Length + r.Args.Sum(a => ProgramVarints.Signed(a).Length)).Sum();
        // (± the padding that aligns the weights section to 64 bytes)
        Assert.InRange(stored.Length, program.ToBytes().Length - referenced + table - 64, program.ToBytes().Length - referenced + table + 64);
        // What is left is the schedule and small tensors (folded biases): not a second copy of the weights.
        Assert.True(stored.Length < 4096, $"{stored.Length} bytes stored of {program.Weights.Length} bytes of weights");

        using var loaded = KernelProgram.Read(stored, modelBytes);
        Assert.True(loaded.Weights.SequenceEqual(program.Weights));
        using var stream = new MemoryStream(stored);
        using var modelStream = new MemoryStream(modelBytes);
        using var streamed = KernelProgram.Load(stream, modelStream);
        Assert.True(streamed.Weights.SequenceEqual(program.Weights));

        var input = OnnxTensor.FromFloats("input", [5, 1, 8, 8], SharedModels.DigitsImages(5));
        Assert.Equal(ProgramRunner.Run(program, [input])[0], ProgramRunner.Run(loaded, [input])[0]);
        Assert.Equal(stored, loaded.ToBytes(ProgramWeights.FromModel));
    }

    [ConditionalFact("data")]
    public void Weights_that_are_packed_initializers_are_referenced_with_their_packing()
    {
        var model = SharedModels.Load("digits_mlp.onnx");
        using var program = KernelCompiler.Compile(model).Program!;
        Assert.Contains(program.References, r => r.Transform == WeightTransform.PackB);
        Assert.All(program.References, r => Assert.NotNull(model.Graph.FindInitializer(r.Initializer)));
    }

    [ConditionalFact("data")]
    public void Without_the_model_a_program_that_references_it_is_refused()
    {
        using var program = KernelCompiler.Compile(SharedModels.Load("digits_mlp.onnx")).Program!;
        var error = Assert.Throws<InvalidDataException>(() => KernelProgram.Read(program.ToBytes(ProgramWeights.FromModel)));
        Assert.Contains("no model was given", error.Message);
    }

    [ConditionalFact("data")]
    public void A_model_without_a_referenced_initializer_is_refused_naming_it()
    {
        var model = SharedModels.Load("digits_mlp.onnx");
        using var program = KernelCompiler.Compile(model).Program!;
        var name = program.References[0].Initializer;
        model.Graph.FindInitializer(name)!.Name = name + "_renamed";

        var error = Assert.Throws<InvalidDataException>(() => KernelProgram.Read(program.ToBytes(ProgramWeights.FromModel), OnnxModelWriter.ToBytes(model)));
        Assert.Contains($"'{name}'", error.Message);
        Assert.Contains("does not have", error.Message);
    }

    [ConditionalFact("data")]
    public void A_hostile_initializer_name_reaches_the_error_escaped_not_as_a_new_log_line()
    {
        var model = SharedModels.Load("digits_mlp.onnx");
        var initializer = model.Graph.Initializers.OrderByDescending(t => t.RawByteCount).First();
        var hostile = "w\nFAKE LOG LINE";
        foreach (var node in model.Graph.Nodes)
        {
            for (var i = 0; i < node.Inputs.Count; i++)
            {
                if (node.Inputs[i] == initializer.Name)
                {
                    node.Inputs[i] = hostile;
                }
            }
        }

        initializer.Name = hostile;
        using var program = KernelCompiler.Compile(model).Program!;
        Assert.Contains(program.References, r => r.Initializer == hostile);
        initializer.Name = "renamed";

        var error = Assert.Throws<InvalidDataException>(() => KernelProgram.Read(program.ToBytes(ProgramWeights.FromModel), OnnxModelWriter.ToBytes(model)));
        Assert.Contains("'w\\u000aFAKE LOG LINE'", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [ConditionalFact("data")]
    public void A_mis_sized_initializer_is_refused_not_read_past()
    {
        var model = SharedModels.Load("digits_mlp.onnx");
        using var program = KernelCompiler.Compile(model).Program!;
        var reference = program.References[0];
        var initializers = model.Graph.Initializers;
        var index = initializers.FindIndex(t => t.Name == reference.Initializer);
        initializers[index] = OnnxTensor.FromFloats(reference.Initializer, [3], [1f, 2f, 3f]);

        var error = Assert.Throws<InvalidDataException>(() => KernelProgram.Read(program.ToBytes(ProgramWeights.FromModel), OnnxModelWriter.ToBytes(model)));
        Assert.Contains($"'{reference.Initializer}'", error.Message);
        Assert.Contains("has 12", error.Message);
    }

    [ConditionalFact("data")]
    public void A_truncated_or_garbage_model_is_refused_as_malformed()
    {
        var model = SharedModels.Load("digits_mlp.onnx");
        var modelBytes = OnnxModelWriter.ToBytes(model);
        using var program = KernelCompiler.Compile(model).Program!;
        var stored = program.ToBytes(ProgramWeights.FromModel);

        foreach (var bad in new[] { modelBytes[..(modelBytes.Length / 2)], Enumerable.Repeat((byte)0xFF, 64).ToArray() })
        {
            var error = Assert.Throws<InvalidDataException>(() => KernelProgram.Read(stored, bad));
            Assert.Contains("Rebuild the project", error.Message);
        }
    }

    [ConditionalFact("data")]
    public void A_reference_past_the_weights_is_refused_when_the_program_is_read()
    {
        var model = SharedModels.Load("digits_mlp.onnx");
        using var program = KernelCompiler.Compile(model).Program!;
        var reference = program.References[^1];
        var stored = program.ToBytes(ProgramWeights.FromModel);
        // The table entry (format 5): the gap from the previous reference's end and the length as varints, then the name; point it past the weights.
        var previousEnd = program.References.Count > 1 ? program.References[^2].Offset + program.References[^2].Length : 0;
        var gap = ProgramVarints.Of((ulong)(reference.Offset - previousEnd));
        byte[] entry = [.. gap, .. ProgramVarints.Of((ulong)reference.Length), .. ProgramVarints.Of((ulong)reference.Initializer.Length), .. System.Text.Encoding.UTF8.GetBytes(reference.Initializer)];
        var at = stored.AsSpan().LastIndexOf(entry);
        Assert.True(at > 0, "the last reference's entry was not found");
        stored = [.. stored[..at], .. ProgramVarints.Of((ulong)program.Weights.Length), .. stored[(at + gap.Length)..]];

        var error = Assert.Throws<InvalidDataException>(() => KernelProgram.Read(stored, OnnxModelWriter.ToBytes(model)));
        Assert.Contains("does not fit its weights", error.Message);
    }
}
