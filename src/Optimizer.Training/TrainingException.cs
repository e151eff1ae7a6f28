using Optimizer.Passes;

namespace Optimizer.Training;

/// <summary>
/// Training failures as the pass exceptions the engine already reports: a coded line pointing at
/// the [FineTune] (or [Distill]) declaration.
/// </summary>
internal static class TrainingException
{
    public static PassException Create(string code, string message, string? pass = null) => new(code, message, pass ?? Passes.Schema.PassSchema.FineTune.Name);
}
