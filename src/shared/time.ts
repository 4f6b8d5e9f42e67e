export const iso = (d: Date) => d.toISOString()
export const isoDate = (d: Date) => d.toISOString().slice(0, 10)
export const addDays = (d: Date, days: number) => new Date(d.getTime() + days * 86_400_000)
