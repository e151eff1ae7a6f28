using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Plans;
using Optimizer.Onnx;
using Optimizer.Passes;

namespace Optimizer.Engine.Commands;

/// <summary>Turns any failure while running a plan into one canonical, coded error line.</summary>
public static class ErrorReport
{
    public static string For(Exception exception, OptimizationPlan plan)
    {
        var model = plan.ModelPath;
        return exception switch
        {
            // Model problems point at the declaration (attribute or item), and name the model file.
            OnnxFormatException e => CanonicalError.Format(e.Code, $"{model}: {e.Message}", plan.DeclaredAt),
            PassException e => CanonicalError.Format(e.Code, $"{model}: {e.Message}", PassLocation(plan, e.Message)),
            EngineException e => CanonicalError.Format(e.Code, $"{model}: {e.Message}", plan.DeclaredAt ?? e.Location),
            _ => CanonicalError.Format(EngineErrorCodes.Unexpected,
                $"{model}: unexpected {exception.GetType().Name} while optimizing '{plan.Model}': {exception.Message} This is a bug in the optimizer; please report it with the model if you can.",
                plan.DeclaredAt),
        };
    }

    /// <summary>
    /// The attribute of the pass that failed: the only pass, or the one the message names first
    /// ("The pass 'Prune' is not available ... Available: Quantize"); else the model's declaration.
    /// PassException does not carry the pass name (yet), hence the message.
    /// </summary>
    private static DiagnosticLocation? PassLocation(OptimizationPlan plan, string message)
    {
        var pass = plan.Passes.Count == 1
            ? plan.Passes[0]
            : plan.Passes
                .Select(p => (Pass: p, Index: message.IndexOf(p.Pass, StringComparison.Ordinal)))
                .Where(p => p.Index >= 0)
                .OrderBy(p => p.Index)
                .Select(p => p.Pass)
                .FirstOrDefault();
        return pass?.DeclaredAt ?? plan.DeclaredAt;
    }
}
