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
            PassException e => CanonicalError.Format(e.Code, $"{model}: {e.Message}", PassLocation(plan, e)),
            EngineException e => CanonicalError.Format(e.Code, $"{model}: {e.Message}", plan.DeclaredAt ?? e.Location),
            _ => CanonicalError.Format(EngineErrorCodes.Unexpected,
                $"{model}: unexpected {exception.GetType().Name} while optimizing '{plan.Model}': {exception.Message} This is a bug in the optimizer; please report it with the model if you can.",
                plan.DeclaredAt),
        };
    }

    /// <summary>The code <see cref="For"/> reports for <paramref name="exception"/>.</summary>
    public static string CodeOf(Exception exception) => exception switch
    {
        OnnxFormatException e => e.Code,
        PassException e => e.Code,
        EngineException e => e.Code,
        _ => EngineErrorCodes.Unexpected,
    };

    /// <summary>
    /// The attribute of the pass that failed: the one the exception names, else the only pass, else
    /// the pass the message names first; else the model's declaration.
    /// </summary>
    private static DiagnosticLocation? PassLocation(OptimizationPlan plan, PassException exception)
    {
        var pass = exception.Pass is { } named
            ? plan.Passes.FirstOrDefault(p => p.Pass == named)
            : plan.Passes.Count == 1
                ? plan.Passes[0]
                : plan.Passes
                    .Select(p => (Pass: p, Index: exception.Message.IndexOf(p.Pass, StringComparison.Ordinal)))
                    .Where(p => p.Index >= 0)
                    .OrderBy(p => p.Index)
                    .Select(p => p.Pass)
                    .FirstOrDefault();
        return pass?.DeclaredAt ?? plan.DeclaredAt;
    }
}
