namespace Optimizer.Passes.Tests.Layering;

/// <summary>
/// Passes stay functions over the IR (../shared/DESIGN.md): calibration runs models through
/// <see cref="Calibration.IModelExecutor"/>, which the engine implements with ONNX Runtime, so the
/// Passes assembly itself must not reference ONNX Runtime.
/// </summary>
public sealed class PassesReferencesTests
{
    [Fact]
    public void Passes_does_not_reference_onnx_runtime()
    {
        var references = typeof(PassPipeline).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.Contains("Optimizer.Onnx", references); // what it does reference: the IR
        Assert.DoesNotContain(references, name => name.StartsWith("Microsoft.ML.OnnxRuntime", StringComparison.Ordinal));
    }
}
