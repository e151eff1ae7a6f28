namespace Optimizer.Engine.Supervision;

/// <summary>
/// The engine's side of <see cref="EngineCrash"/>: before each step that runs native code on the
/// model (ONNX Runtime sessions for calibration, verification, timing), the engine records what it
/// is doing, so a supervisor can name it if the process dies by a signal. A no-op when no
/// supervisor asked (the variable is unset).
/// </summary>
internal static class EngineStage
{
    private static readonly string? StageFile = Environment.GetEnvironmentVariable(EngineCrash.StageFileVariable);

    /// <summary>Records <paramref name="stage"/> (e.g. "verifying: running the optimized model in ONNX Runtime").</summary>
    public static void Enter(string stage)
    {
        if (StageFile is null)
        {
            return;
        }

        try
        {
            File.WriteAllText(StageFile, stage);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The stage only improves a crash message; never fail a run for it.
        }
    }
}
