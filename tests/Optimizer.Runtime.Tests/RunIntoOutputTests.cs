using Optimizer.Tests.Shared;

namespace Optimizer.Runtime.Tests;

/// <summary>
/// <c>Run(input, output)</c> on the real digits MLP, on ONNX Runtime and on the compiled kernels:
/// the same logits as <c>Run(input)</c>, written into the caller's tensor, and no allocation once
/// the same input and output are bound.
/// </summary>
public class RunIntoOutputTests
{
    private const int Batch = 8;

    [ConditionalFact("data")]
    public void Onnx_runtime_writes_the_logits_of_run_into_the_callers_tensor_and_follows_input_changes()
    {
        using var model = new DigitsMlp();
        float[] images = Images();
        var input = new DigitsMlp.Input(new ModelTensor<float>(images, Batch, 1, 8, 8));
        var output = new DigitsMlp.Output(ModelTensor<float>.Zeros(Batch, 10));

        model.Run(input, output);
        Assert.Equal(model.Run(input).Logits.Span.ToArray(), output.Logits.Span.ToArray());

        // The binding points at the caller's memory: new pixels in the same array give new logits.
        SharedData.ReadFloats("digits/digits_test_x_450x64.f32").AsSpan(64 * Batch, 64 * Batch).CopyTo(images);
        model.Run(input, output);
        Assert.Equal(model.Run(input).Logits.Span.ToArray(), output.Logits.Span.ToArray());
    }

    [ConditionalFact("data")]
    public void Onnx_runtime_repeated_calls_allocate_nothing()
    {
        using var model = new DigitsMlp();
        var input = new DigitsMlp.Input(new ModelTensor<float>(Images(), Batch, 1, 8, 8));
        var output = new DigitsMlp.Output(ModelTensor<float>.Zeros(Batch, 10));

        Assert.Equal(0, SteadyStateAllocation.PerCall(() => model.Run(input, output)));
    }

    [ConditionalFact("data")]
    public void Compiled_kernels_write_the_logits_of_run_and_allocate_nothing()
    {
        using var model = CompiledDigitsMlp.Create(SharedData.PathOf("models/digits_mlp.onnx"), new ModelOptions { Path = ExecutionPathKind.Compiled });
        var input = new CompiledDigitsMlp.Input(new ModelTensor<float>(Images(), Batch, 1, 8, 8));
        var output = new CompiledDigitsMlp.Output(ModelTensor<float>.Zeros(Batch, 10));

        model.Run(input, output);

        Assert.Equal(ExecutionPathKind.Compiled, model.ExecutionPath.Kind);
        Assert.Equal(model.Run(input).Logits.Span.ToArray(), output.Logits.Span.ToArray());
        Assert.Equal(0, SteadyStateAllocation.PerCall(() => model.Run(input, output)));
    }

    [ConditionalFact("data")]
    public void An_output_of_the_wrong_shape_is_refused_with_the_shape_it_needs()
    {
        using var model = new DigitsMlp();
        using var compiled = CompiledDigitsMlp.Create(SharedData.PathOf("models/digits_mlp.onnx"), new ModelOptions { Path = ExecutionPathKind.Compiled });
        var input = new DigitsMlp.Input(new ModelTensor<float>(Images(), Batch, 1, 8, 8));

        var ex = Assert.Throws<TensorShapeException>(() => model.Run(input, new DigitsMlp.Output(ModelTensor<float>.Zeros(1, 10))));
        var compiledEx = Assert.Throws<TensorShapeException>(() => compiled.Run(new CompiledDigitsMlp.Input(input.InputValue), new CompiledDigitsMlp.Output(ModelTensor<float>.Zeros(Batch, 9))));

        Assert.Equal("Model 'Tests.DigitsMlp' output 'logits' has shape [8, 10] for these inputs but the tensor given for it is [1, 10]. Pass an output tensor of shape [8, 10].", ex.Message.Split(" (Parameter")[0]);
        Assert.Contains("is [8, 9]. Pass an output tensor of shape [8, 10].", compiledEx.Message);
    }

    [ConditionalFact("data")]
    public void Another_output_object_is_bound_in_place_of_the_last()
    {
        using var model = new DigitsMlp();
        var input = new DigitsMlp.Input(new ModelTensor<float>(Images(), Batch, 1, 8, 8));
        var first = new DigitsMlp.Output(ModelTensor<float>.Zeros(Batch, 10));
        var second = new DigitsMlp.Output(ModelTensor<float>.Zeros(Batch, 10));

        model.Run(input, first);
        model.Run(input, second);

        Assert.Equal(first.Logits.Span.ToArray(), second.Logits.Span.ToArray());
        Assert.Contains(second.Logits.Span.ToArray(), value => value != 0);
    }

    private static float[] Images() => SharedData.ReadFloats("digits/digits_test_x_450x64.f32").AsSpan(0, 64 * Batch).ToArray();
}
