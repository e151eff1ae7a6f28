using Optimizer.Tests.Shared;

namespace Optimizer.Runtime.Tests;

/// <summary>Real ONNX Runtime sessions over digits_mlp.onnx, embedded in this test assembly.</summary>
public class OnnxModelBaseTests
{
    private const int Pixels = 64;

    [ConditionalFact("data")]
    public void Batched_logits_equal_the_reference_logits()
    {
        using var model = new DigitsMlp();
        float[] images = SharedData.ReadFloats("digits/digits_test_x_450x64.f32");
        float[] reference = SharedData.ReadFloats("models/digits_mlp_logits_first100.f32");

        var output = model.Run(new DigitsMlp.Input(new ModelTensor<float>(images.AsMemory(0, 100 * Pixels), 100, 1, 8, 8)));

        Assert.Equal(new[] { 100, 10 }, output.Logits.Shape.ToArray());
        AssertClose(reference, output.Logits.Span.ToArray());
    }

    [ConditionalFact("data")]
    public void One_image_at_a_time_gives_the_reference_logits()
    {
        using var model = new DigitsMlp();
        float[] images = SharedData.ReadFloats("digits/digits_test_x_450x64.f32");
        float[] reference = SharedData.ReadFloats("models/digits_mlp_logits_first100.f32");

        for (int i = 0; i < 20; i++)
        {
            var output = model.Run(new DigitsMlp.Input(new ModelTensor<float>(images.AsMemory(i * Pixels, Pixels), 1, 1, 8, 8)));
            AssertClose(reference.AsSpan(i * 10, 10).ToArray(), output.Logits.Span.ToArray());
        }
    }

    [ConditionalFact("data")]
    public void Top1_accuracy_on_the_450_test_images_is_97_1_percent()
    {
        using var model = new DigitsMlp();
        float[] images = SharedData.ReadFloats("digits/digits_test_x_450x64.f32");
        byte[] labels = File.ReadAllBytes(SharedData.PathOf("digits/digits_test_y_450.u8"));

        int[] predicted = model.Run(new DigitsMlp.Input(new ModelTensor<float>(images, 450, 1, 8, 8))).Logits.ArgMaxLastAxis();

        int correct = predicted.Where((digit, i) => digit == labels[i]).Count();
        Assert.Equal(0.971, (double)correct / labels.Length, 3);
    }

    [ConditionalFact("data")]
    public void Outputs_copied_after_the_run_equal_outputs_written_in_place()
    {
        using var inPlace = new DigitsMlp();
        using var copied = new DigitsMlp();
        copied.PreallocationFailed = true;
        float[] images = SharedData.ReadFloats("digits/digits_test_x_450x64.f32");
        var input = new DigitsMlp.Input(new ModelTensor<float>(images.AsMemory(0, 5 * Pixels), 5, 1, 8, 8));

        Assert.NotNull(inPlace.OutputPlan);
        Assert.Equal(inPlace.Run(input).Logits.Span.ToArray(), copied.Run(input).Logits.Span.ToArray());
    }

    [ConditionalFact("data")]
    public void Each_run_returns_new_output_tensors_the_caller_owns()
    {
        using var model = new DigitsMlp();
        var input = new DigitsMlp.Input(ModelTensor<float>.Zeros(1, 1, 8, 8));

        var first = model.Run(input).Logits;
        float expected = first.Span[0];
        var second = model.Run(input).Logits;
        first.Span[0] = 12345;

        Assert.Equal(expected, second.Span[0]);
        Assert.False(first.Memory.Equals(second.Memory));
    }

    [ConditionalFact("data")]
    public async Task Concurrent_runs_on_one_instance_give_the_same_results()
    {
        using var model = new DigitsMlp();
        float[] images = SharedData.ReadFloats("digits/digits_test_x_450x64.f32");
        int[] expected = model.Run(new DigitsMlp.Input(new ModelTensor<float>(images, 450, 1, 8, 8))).Logits.ArgMaxLastAxis();

        var workers = Enumerable.Range(0, 4).Select(worker => Task.Run(() =>
        {
            for (int i = worker; i < 450; i += 4)
            {
                var input = new DigitsMlp.Input(new ModelTensor<float>(images.AsMemory(i * Pixels, Pixels), 1, 1, 8, 8));
                Assert.Equal(expected[i], model.Run(input).Logits.ArgMax());
            }
        }));

        await Task.WhenAll(workers);
    }

    [ConditionalFact("data")]
    public void Use_after_dispose_throws_ObjectDisposedException()
    {
        var model = new DigitsMlp();
        model.Dispose();
        model.Dispose();

        Assert.Throws<ObjectDisposedException>(() => model.Run(new DigitsMlp.Input(ModelTensor<float>.Zeros(1, 1, 8, 8))));
    }

    [ConditionalFact("data")]
    public void Cpu_is_the_default_and_records_no_fallback()
    {
        using var model = new DigitsMlp();

        Assert.Equal(ExecutionTarget.Cpu, model.ExecutionTarget);
        Assert.Equal("CPUExecutionProvider", model.ExecutionProvider);
        Assert.Null(model.FallbackReason);
    }

    [ConditionalFact("data")]
    public void Cuda_without_a_CUDA_provider_falls_back_to_the_cpu_and_says_why()
    {
        using var model = new DigitsMlp(new ModelOptions { Target = ExecutionTarget.Cuda });

        Assert.Equal(ExecutionTarget.Cpu, model.ExecutionTarget);
        Assert.Equal("CPUExecutionProvider", model.ExecutionProvider);
        Assert.Contains("no CUDAExecutionProvider", model.FallbackReason);
        Assert.Contains("running on the CPU", model.FallbackReason);
        Assert.Equal(new[] { 1, 10 }, model.Run(new DigitsMlp.Input(ModelTensor<float>.Zeros(1, 1, 8, 8))).Logits.Shape.ToArray());
    }

    [ConditionalFact("data")]
    public void Auto_picks_the_cpu_when_the_build_has_no_gpu_provider()
    {
        using var model = new DigitsMlp(new ModelOptions { Target = ExecutionTarget.Auto });

        Assert.Equal(ExecutionTarget.Cpu, model.ExecutionTarget);
        Assert.Contains("Cuda: this ONNX Runtime build has no CUDAExecutionProvider", model.FallbackReason);
    }

    [ConditionalFact("data")]
    public void Cuda_without_fallback_throws_and_says_what_to_do()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => new DigitsMlp(new ModelOptions { Target = ExecutionTarget.Cuda, AllowFallback = false }));

        Assert.Contains("cannot run on Cuda", ex.Message);
        Assert.Contains("AllowFallback", ex.Message);
    }

    [ConditionalFact("data")]
    public void Session_options_are_applied()
    {
        using var model = new DigitsMlp(new ModelOptions { IntraOpThreads = 1, GraphOptimization = GraphOptimization.Disabled });

        Assert.Equal(1, model.Run(new DigitsMlp.Input(ModelTensor<float>.Zeros(1, 1, 8, 8))).Logits.Shape[0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DigitsMlp(new ModelOptions { IntraOpThreads = 0 }));
    }

    [Fact]
    public void A_missing_embedded_model_names_the_resource_and_says_to_rebuild()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => new MissingModel());

        Assert.Contains("'Tests.MissingModel'", ex.Message);
        Assert.Contains("no resource 'Optimizer.Runtime.Tests.missing.onnx'", ex.Message);
        Assert.Contains("Rebuild the project", ex.Message);
    }

    [ConditionalFact("data")]
    public void A_generated_class_that_does_not_match_the_embedded_model_says_to_rebuild()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => new StaleDigits());

        Assert.Contains("has inputs [input]", ex.Message);
        Assert.Contains("expects inputs [pixels]", ex.Message);
        Assert.Contains("Rebuild the project", ex.Message);
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4f + (1e-4f * Math.Abs(expected[i])), $"element {i}: expected {expected[i]}, got {actual[i]}");
        }
    }
}
