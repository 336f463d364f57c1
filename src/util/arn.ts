// Reading a Kiro profile ARN (`arn:aws:codewhisperer:<region>:<account>:profile/<id>`), the same way for the Kiro client (which API region a profile lives in) and the sign-in import (an external identity provider sign-in's region).

/** `arn:aws:codewhisperer:eu-central-1:…` → `eu-central-1`; undefined unless it is an ARN with a region of AWS's shape. */
export function profileArnRegion(arn: string | undefined): string | undefined {
  if (!arn) return undefined;
  const parts = arn.split(":");
  if (parts.length < 6 || parts[0] !== "arn") return undefined;
  const region = parts[3];
  return region && /^[a-z]{2}(-[a-z]+)+-\d+$/.test(region) ? region : undefined;
}
