namespace Optimizer.Training.FineTuning;

/// <summary>Linear warm-up from near zero to the peak rate, then cosine decay to zero, per step.</summary>
internal sealed class LearningRateSchedule(double peak, long warmupSteps, long totalSteps)
{
    /// <summary>The rate for step <paramref name="step"/> (0-based).</summary>
    public double At(long step)
    {
        if (step < warmupSteps)
            return peak * (step + 1) / warmupSteps;
        var decaySteps = Math.Max(1, totalSteps - warmupSteps);
        var progress = Math.Min(1.0, (double)(step - warmupSteps) / decaySteps);
        return peak * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }
}
