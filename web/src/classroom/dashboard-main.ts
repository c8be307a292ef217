// The instructor's dashboard page (/classroom/dashboard).
import '../styles/theme.css';
import './classroom-dashboard.ts';
